package dev.groundingdino.sam;

import dev.groundingdino.InvalidValueException;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The mask decoder's raw outputs for a batch of prompts, before upscaling and thresholding: the reference's
 * {@code low_res_masks} and {@code iou_predictions}, copied to Java (float32), for parity checks and custom
 * post-processing.
 *
 * @param prompts the prompts, in order
 * @param masksPerPrompt C: 1, or 3 with multimask output
 * @param lowResSize the side of the low-resolution logits (256)
 * @param lowResLogits {@code [B, C, 256, 256]} row-major
 * @param iouPredictions {@code [B, C]} row-major
 * @param boxesTransformed {@code [B, 4]} the prompts' boxes in the model's input frame (the reference predictor's
 *     {@code apply_boxes} output), or null for prompts without boxes
 */
public record RawMasks(List<MaskPrompt> prompts, int masksPerPrompt, int lowResSize, float[] lowResLogits,
        float[] iouPredictions, float[] boxesTransformed) {

    /** Checks the sizes and copies the arrays. */
    public RawMasks {
        prompts = List.copyOf(prompts);
        long b = prompts.size();
        if (lowResLogits.length != b * masksPerPrompt * lowResSize * lowResSize
                || iouPredictions.length != b * masksPerPrompt) {
            throw new InvalidValueException("expected " + b + " x " + masksPerPrompt + " low-resolution masks of "
                    + lowResSize + "^2 and IoUs, got " + lowResLogits.length + " and " + iouPredictions.length
                    + " values");
        }
        lowResLogits = lowResLogits.clone();
        iouPredictions = iouPredictions.clone();
        if (boxesTransformed != null) {
            if (boxesTransformed.length != 4 * b) {
                throw new InvalidValueException("expected " + b + " x 4 transformed box values, got "
                        + boxesTransformed.length);
            }
            boxesTransformed = boxesTransformed.clone();
        }
    }

    /** A copy of the transformed boxes, or null. */
    @Override
    public float[] boxesTransformed() {
        return boxesTransformed == null ? null : boxesTransformed.clone();
    }

    /** A copy of the low-resolution logits. */
    @Override
    public float[] lowResLogits() {
        return lowResLogits.clone();
    }

    /** A copy of the IoU predictions. */
    @Override
    public float[] iouPredictions() {
        return iouPredictions.clone();
    }

    /**
     * Writes {@code low_res_logits} {@code [B, C, 256, 256]} and {@code iou_predictions} {@code [B, C]} (float32) to a
     * {@code .safetensors} file, with {@code metadata} as its {@code __metadata__}; for box prompts also
     * {@code boxes} (original pixels) and {@code boxes_transformed} {@code [B, 4]}.
     *
     * @throws dev.groundingdino.CheckpointException if the file cannot be written
     */
    @SuppressWarnings("try") // the scope frees the temporary tensors; it is not referenced
    public void writeSafetensors(Path file, Map<String, String> metadata) {
        Objects.requireNonNull(file, "file");
        int b = prompts.size();
        try (InferenceScope scope = InferenceScope.open()) {
            Map<String, org.bytedeco.pytorch.Tensor> tensors = new LinkedHashMap<>();
            tensors.put("low_res_logits", HostTensors.fromFloats(lowResLogits, b, masksPerPrompt, lowResSize,
                    lowResSize));
            tensors.put("iou_predictions", HostTensors.fromFloats(iouPredictions, b, masksPerPrompt));
            if (boxesTransformed != null) {
                float[] boxes = new float[4 * b];
                for (int i = 0; i < b; i++) {
                    var box = prompts.get(i).box();
                    boxes[4 * i] = (float) box.x0();
                    boxes[4 * i + 1] = (float) box.y0();
                    boxes[4 * i + 2] = (float) box.x1();
                    boxes[4 * i + 3] = (float) box.y1();
                }
                tensors.put("boxes", HostTensors.fromFloats(boxes, b, 4));
                tensors.put("boxes_transformed", HostTensors.fromFloats(boxesTransformed, b, 4));
            }
            SafetensorsWriter.write(file, tensors, metadata == null ? Map.of() : metadata);
        }
    }
}
