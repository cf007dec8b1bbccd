/**
 * Segment Anything and SAM 2.1 segmentation, and Grounded-SAM, on libtorch. The API is the package
 * {@code dev.groundingdino.sam}; {@code dev.groundingdino.sam.internal} is implementation and not exported.
 */
module dev.groundingdino.sam {
    requires transitive dev.groundingdino;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.pytorch;
    requires org.bytedeco.opencv;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.groundingdino.sam;
}
