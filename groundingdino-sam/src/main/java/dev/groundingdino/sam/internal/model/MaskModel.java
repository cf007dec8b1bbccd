package dev.groundingdino.sam.internal.model;

import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.sam.MaskPrompt;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A promptable segmentation model behind the public {@code Segmenter}: Segment Anything ({@link SamModel}) or
 * SAM 2.1. Each family does its own preprocessing, prompt transforms and mask upscaling; the segmenter validates,
 * batches, thresholds and copies the results. Implementations are thread-safe; methods run in the caller's inference
 * scope unless they say otherwise.
 */
public interface MaskModel extends AutoCloseable {
    /** The family, {@code "SAM"} or {@code "SAM 2.1"}. */
    String family();

    /** The recognised variant, e.g. {@code "vit_h"} or {@code "hiera_t"}. */
    String variant();

    /** Where the model lives. */
    Placement placement();

    /** The number of masks of a multimask prediction (3). */
    int multimaskOutputs();

    /** The side of the low-resolution logits (256). */
    int lowResSize();

    /**
     * Encodes an image ({@code set_image}); the features own their tensors (retained, outside any scope) until closed.
     */
    ImageFeatures embed(RgbImage image);

    /**
     * The mask decoder on prompts of one shape ({@link MaskPrompt#sameShape}), coordinates in original image pixels.
     *
     * @param single the single-prompt path of the reference predictor ({@code predict}: prompt transforms in
     *     float64) rather than the batched one ({@code predict_torch}: float32)
     * @return low-resolution logits (B, C, 256, 256) and IoU predictions (B, C), in the caller's scope
     */
    Prediction predict(ImageFeatures features, List<MaskPrompt> prompts, boolean multimask, boolean single);

    /** The low-resolution logits as the reference predictor returns them (SAM 2.1 clamps them); {@code lowRes} here. */
    default Tensor rawLowRes(Tensor lowRes) {
        return lowRes;
    }

    /** Low-resolution logits (n, C, 256, 256) to logits at the original image size (n, C, H, W). */
    Tensor upscale(ImageFeatures features, Tensor lowRes);

    /** Frees the weights. Idempotent. */
    @Override
    void close();

    /**
     * The decoder's outputs: (B, C, 256, 256) logits and (B, C) IoU predictions, and the boxes as the model saw them
     * in its input frame ({@code apply_boxes} output; B x 4 values, null without boxes).
     */
    record Prediction(Tensor lowResLogits, Tensor iouPredictions, float[] transformedBoxes) {}

    /** An encoded image: its original size and the family's tensors. */
    interface ImageFeatures extends AutoCloseable {
        int width();

        int height();

        /** Releases the tensors. Idempotent. */
        @Override
        void close();
    }
}
