package dev.groundingdino.internal.postprocess;

import java.util.Objects;

/**
 * The detector head outputs of ONE image copied to Java: {@code pred_logits[b]} (queries x text slots, row-major,
 * {@code -inf} beyond the caption's tokens) and {@code pred_boxes[b]} (queries x 4, {@code (cx, cy, w, h)} normalised
 * to the image). Immutable: the arrays are copied in and never handed out.
 */
public final class QueryOutputs {
    private final int queries;
    private final int textSlots;
    private final float[] logits;
    private final float[] boxes;

    private QueryOutputs(int queries, int textSlots, float[] logits, float[] boxes) {
        if (queries < 0 || textSlots <= 0) {
            throw new IllegalArgumentException("need queries >= 0 and textSlots > 0, got " + queries + " and "
                    + textSlots);
        }
        if (logits.length != (long) queries * textSlots) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values, expected queries "
                    + queries + " x text slots " + textSlots);
        }
        if (boxes.length != (long) queries * 4) {
            throw new IllegalArgumentException("boxes hold " + boxes.length + " values, expected queries " + queries
                    + " x 4");
        }
        this.queries = queries;
        this.textSlots = textSlots;
        this.logits = logits;
        this.boxes = boxes;
    }

    /**
     * Outputs from copies of the given arrays.
     *
     * @param logits {@code pred_logits} of one image, {@code [queries, textSlots]} row-major
     * @param boxes {@code pred_boxes} of one image, {@code [queries, 4]} row-major
     */
    public static QueryOutputs of(int queries, int textSlots, float[] logits, float[] boxes) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(boxes, "boxes");
        return new QueryOutputs(queries, textSlots, logits.clone(), boxes.clone());
    }

    /** Takes ownership of arrays nobody else references (no copy). */
    static QueryOutputs wrap(int queries, int textSlots, float[] logits, float[] boxes) {
        return new QueryOutputs(queries, textSlots, logits, boxes);
    }

    /** Number of queries ({@code num_queries}). */
    public int queries() {
        return queries;
    }

    /** Number of text slots per query (256 in every GroundingDINO). */
    public int textSlots() {
        return textSlots;
    }

    /** The logit of {@code query} for text slot {@code slot}. */
    public float logit(int query, int slot) {
        Objects.checkIndex(query, queries);
        Objects.checkIndex(slot, textSlots);
        return logits[query * textSlots + slot];
    }

    /** {@code sigmoid(pred_logits[query])} as torch computes it in float32 (see {@link Predict#sigmoid}). */
    public float[] probabilities(int query) {
        Objects.checkIndex(query, queries);
        float[] out = new float[textSlots];
        int base = query * textSlots;
        for (int i = 0; i < textSlots; i++) {
            out[i] = Predict.sigmoid(logits[base + i]);
        }
        return out;
    }

    /** {@code pred_boxes[query]} as {@code (cx, cy, w, h)}, normalised. */
    public float[] box(int query) {
        Objects.checkIndex(query, queries);
        float[] out = new float[4];
        System.arraycopy(boxes, query * 4, out, 0, 4);
        return out;
    }
}
