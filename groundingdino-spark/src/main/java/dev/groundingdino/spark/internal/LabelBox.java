package dev.groundingdino.spark.internal;

import java.io.Serializable;
import java.util.Objects;

/**
 * One detection as the labeller stores it in a row: plain values, no library types (so that a change of the
 * library's result types touches only {@link DetectorAdapter}).
 *
 * @param label the detection's phrase (the library's {@code Detection.label()})
 * @param classId the matched class of a class list, -1 for none and for free prompts
 * @param score confidence (the float32 value widened to double, unchanged)
 * @param x0 left edge in pixels of the input image (not clipped)
 * @param y0 top edge
 * @param x1 right edge
 * @param y1 bottom edge
 * @param mask the Grounded-SAM mask of the box in COCO RLE, or null when masks are off
 */
public record LabelBox(String label, int classId, double score, double x0, double y0, double x1, double y1,
        Rle mask) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Checks the label. */
    public LabelBox {
        Objects.requireNonNull(label, "label");
    }

    /**
     * A mask in COCO run-length encoding: {@code {"size": [height, width], "counts": "<compressed string>"}}, the
     * format of {@code pycocotools.mask.encode}.
     *
     * @param height mask height (the image's)
     * @param width mask width
     * @param counts pycocotools' compressed counts string
     */
    public record Rle(int height, int width, String counts) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Checks the values. */
        public Rle {
            Objects.requireNonNull(counts, "counts");
            if (height <= 0 || width <= 0) {
                throw new IllegalArgumentException("mask size must be positive, got " + height + "x" + width);
            }
        }
    }
}
