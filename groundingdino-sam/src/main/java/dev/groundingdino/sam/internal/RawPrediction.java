package dev.groundingdino.sam.internal;

import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The raw outputs of one {@code SamPredictor.predict} / {@code predict_torch} call, before upscaling and
 * thresholding, copied to Java arrays (for debugging and comparison with the reference).
 *
 * @param boxes (B, 4) the prompts in original image pixels, xyxy
 * @param boxesTransformed (B, 4) the prompts after {@code apply_boxes} (1024-input frame), as given to the model
 * @param lowResLogits (B, C, 256, 256) the mask decoder's {@code low_res_masks}
 * @param iouPredictions (B, C) the mask decoder's {@code iou_predictions}
 * @param masksPerBox C: 1, or 3 with multimask output
 */
public record RawPrediction(PixelTensor boxes, PixelTensor boxesTransformed, PixelTensor lowResLogits,
        PixelTensor iouPredictions, int masksPerBox) {

    /**
     * Writes the four arrays as float32 tensors {@code boxes}, {@code boxes_transformed}, {@code low_res_logits} and
     * {@code iou_predictions} to a {@code .safetensors} file.
     *
     * @throws dev.groundingdino.CheckpointException if the file cannot be written
     */
    @SuppressWarnings("try") // the scope frees the temporary tensors; it is not referenced
    public void writeSafetensors(Path file, Map<String, String> metadata) {
        try (InferenceScope scope = InferenceScope.open()) {
            Map<String, org.bytedeco.pytorch.Tensor> tensors = new LinkedHashMap<>();
            tensors.put("boxes", boxes.toTensor());
            tensors.put("boxes_transformed", boxesTransformed.toTensor());
            tensors.put("low_res_logits", lowResLogits.toTensor());
            tensors.put("iou_predictions", iouPredictions.toTensor());
            SafetensorsWriter.write(file, tensors, metadata);
        }
    }
}
