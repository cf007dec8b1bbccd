package dev.groundingdino;

/** Optional non-maximum suppression after the reference post-processing (which has none). */
public enum NmsMode {
    /** No suppression: exactly the reference's {@code predict()} (the default). */
    NONE,
    /** Any two detections compete: of two boxes with IoU above the threshold, the lower-scored one is dropped. */
    CLASS_AGNOSTIC,
    /** Only detections with the same class id (class lists) or the same label (free prompts) compete. */
    PER_LABEL
}
