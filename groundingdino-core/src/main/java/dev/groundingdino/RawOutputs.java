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
            throw new InvalidValueException("expected " + queries + " x " + textSlots + " logits and " + queries
                    + " x 4 box values, got " + logits.length + " and " + boxes.length);
        }
        logits = logits.clone();
        boxes = boxes.clone();
    }

    /**
     * Writes {@code pred_logits} {@code [1, queries, textSlots]} and {@code pred_boxes} {@code [1, queries, 4]}
     * (float32) to a {@code .safetensors} file, with {@code metadata} as its {@code __metadata__}.
     *
     * @throws CheckpointException if the file cannot be written
     */
    @SuppressWarnings("try") // the scope frees the temporary tensors; it is not referenced
    public void writeSafetensors(java.nio.file.Path file, java.util.Map<String, String> metadata) {
        Objects.requireNonNull(file, "file");
        try (dev.groundingdino.internal.runtime.InferenceScope scope =
                dev.groundingdino.internal.runtime.InferenceScope.open()) {
            java.util.Map<String, org.bytedeco.pytorch.Tensor> tensors = new java.util.LinkedHashMap<>();
            tensors.put("pred_logits", dev.groundingdino.internal.runtime.HostTensors.fromFloats(logits, 1, queries,
                    textSlots));
            tensors.put("pred_boxes", dev.groundingdino.internal.runtime.HostTensors.fromFloats(boxes, 1, queries, 4));
            dev.groundingdino.internal.weights.SafetensorsWriter.write(file, tensors,
                    metadata == null ? java.util.Map.of() : metadata);
        }
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
