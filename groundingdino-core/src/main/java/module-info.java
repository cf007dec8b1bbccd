/**
 * GroundingDINO open-set object detection on libtorch. The API is the package {@code dev.groundingdino}; everything
 * under {@code dev.groundingdino.internal} is implementation, exported only to this library's own modules.
 */
module dev.groundingdino {
    requires transitive java.desktop; // BufferedImage in the API
    requires java.net.http; // ModelWeights downloads
    requires org.bytedeco.javacpp;
    requires org.bytedeco.pytorch;
    requires org.bytedeco.opencv;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.groundingdino;

    // the Segment Anything module reuses the runtime, checkpoint readers, layers and image code
    exports dev.groundingdino.internal.annotate to dev.groundingdino.sam;
    exports dev.groundingdino.internal.image to dev.groundingdino.sam;
    exports dev.groundingdino.internal.nn to dev.groundingdino.sam;
    exports dev.groundingdino.internal.runtime to dev.groundingdino.sam;
    exports dev.groundingdino.internal.weights to dev.groundingdino.sam;
}
