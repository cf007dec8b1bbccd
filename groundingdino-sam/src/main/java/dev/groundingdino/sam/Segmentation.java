package dev.groundingdino.sam;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The masks predicted for one prompt: one mask, or with multimask output three alternatives (SAM's masks 1..3,
 * for ambiguous prompts) in the model's order.
 *
 * @param prompt the prompt that was given, in original image pixels
 * @param masks the predicted masks, never empty
 */
public record Segmentation(MaskPrompt prompt, List<Mask> masks) {

    public Segmentation {
        Objects.requireNonNull(prompt, "prompt");
        masks = List.copyOf(masks);
        if (masks.isEmpty()) {
            throw new dev.groundingdino.InvalidValueException("a segmentation has at least one mask");
        }
    }

    /** The mask with the highest predicted IoU (the first on ties). */
    public Mask best() {
        return masks.stream().max(Comparator.comparingDouble(Mask::predictedIou)).orElseThrow();
    }
}
