package dev.groundingdino.sam;

import dev.groundingdino.Box;
import dev.groundingdino.Detection;
import java.util.Objects;

/**
 * One Grounded-SAM object: a GroundingDINO detection and the Segment Anything mask of its box.
 *
 * @param detection the detection (label, score, unclipped pixel box)
 * @param prompt the box given to SAM: the detection's box clipped to the image
 * @param mask the mask of the object, at the original image size
 */
public record GroundedMask(Detection detection, Box prompt, Mask mask) {

    public GroundedMask {
        Objects.requireNonNull(detection, "detection");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(mask, "mask");
    }

    /** The detection's label (the phrase of the prompt it belongs to). */
    public String label() {
        return detection.label();
    }
}
