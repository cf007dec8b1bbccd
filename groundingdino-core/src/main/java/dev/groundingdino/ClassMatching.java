package dev.groundingdino;

/** How a class-list call ({@link Prompt#classes}) assigns class ids, and how a list over 256 tokens runs. */
public enum ClassMatching {
    /**
     * The reference's {@code Model.predict_with_classes}: the caption is {@code ". ".join(classes)}, detections
     * and labels come from the ordinary {@code predict()} (a label can merge several classes, e.g.
     * {@code "cat dog"}), and each label gets the index of the FIRST class that occurs in it as a substring
     * (case-sensitive, as in {@code phrases2classes}), or {@code -1} (the reference's {@code None}). Like the
     * reference, the model sees the first 256 tokens of the caption only; a longer list logs a warning naming the
     * classes it drops.
     */
    REFERENCE,
    /**
     * Each class is scored by the highest probability over its own tokens only; a query takes its best class and
     * is kept if that score passes the box threshold. Every detection then has exactly one class, named as given,
     * and labels never merge or contain {@code [SEP]}. A list of any length works: one whose caption is over 256
     * tokens is split into consecutive chunks that fit, each run as its own caption on the once-encoded image, and
     * the detections of all chunks are returned with their global class ids ({@link DetectionResult#chunks()}).
     */
    TOKEN_SPANS
}
