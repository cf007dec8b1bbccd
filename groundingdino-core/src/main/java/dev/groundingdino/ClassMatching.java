package dev.groundingdino;

/** How a class-list call ({@link Detector#detect(java.nio.file.Path, java.util.List)}) assigns class ids. */
public enum ClassMatching {
    /**
     * The reference's {@code Model.predict_with_classes}: the caption is {@code ". ".join(classes)}, detections
     * and labels come from the ordinary {@code predict()} (a label can merge several classes, e.g.
     * {@code "cat dog"}), and each label gets the index of the FIRST class that occurs in it as a substring
     * (case-sensitive, as in {@code phrases2classes}), or {@code -1} (the reference's {@code None}).
     */
    REFERENCE,
    /**
     * Each class is scored by the highest probability over its own tokens only; a query takes its best class and
     * is kept if that score passes the box threshold. Every detection then has exactly one class, named as given,
     * and labels never merge or contain {@code [SEP]}.
     */
    TOKEN_SPANS
}
