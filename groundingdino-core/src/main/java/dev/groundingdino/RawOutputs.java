package dev.groundingdino;

import java.util.Objects;

/**
 * The model's raw head outputs for one image, before any threshold: {@code pred_logits} and {@code pred_boxes} of
 * the reference forward pass, copied to Java (float32). For debugging and for custom post-processing.
 *
 * @param width width of the input image in pixels
 * @param height height of the input image in pixels
 * @param caption the caption the model saw (preprocessed prompt)
 * @param queries number of queries ({@code num_queries}, 900 in the released models)
 * @param textSlots text slots per query (256)
 * @param logits {@code pred_logits[0]}, {@code [queries, textSlots]} row-major; {@code -inf} beyond the caption's
 *     tokens
 * @param boxes {@code pred_boxes[0]}, {@code [queries, 4]} row-major, {@code (cx, cy, w, h)} normalised
 */
public record RawOutputs(int width, int height, String caption, int queries, int textSlots, float[] logits,
        float[] boxes) {

    /** Checks the sizes and copies the arrays. */
    public RawOutputs {
        Objects.requireNonNull(caption, "caption");
        if (logits.length != (long) queries * textSlots || boxes.length != (long) queries * 4) {
            throw new IllegalArgumentException("expected " + queries + " x " + textSlots + " logits and " + queries
                    + " x 4 box values, got " + logits.length + " and " + boxes.length);
        }
        logits = logits.clone();
        boxes = boxes.clone();
    }

    /** A copy of the logits. */
    @Override
    public float[] logits() {
        return logits.clone();
    }

    /** A copy of the boxes. */
    @Override
    public float[] boxes() {
        return boxes.clone();
    }
}
