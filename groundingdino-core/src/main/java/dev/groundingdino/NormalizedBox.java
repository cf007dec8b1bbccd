package dev.groundingdino;

import dev.groundingdino.internal.postprocess.Boxes;

/**
 * A box as GroundingDINO predicts it ({@code pred_boxes}): centre {@code (cx, cy)} and size {@code (w, h)}, each a
 * fraction of the image width or height (the model sees a resized image of the same aspect ratio, so the fractions
 * hold for the original image too). Values are the model's float32 outputs widened to double.
 *
 * @param cx centre x / image width
 * @param cy centre y / image height
 * @param w box width / image width
 * @param h box height / image height
 */
public record NormalizedBox(double cx, double cy, double w, double h) {

    /** Rejects non-finite values. */
    public NormalizedBox {
        if (!Double.isFinite(cx) || !Double.isFinite(cy) || !Double.isFinite(w) || !Double.isFinite(h)) {
            throw new InvalidValueException("box values must be finite, got (" + cx + ", " + cy + ", " + w + ", "
                    + h + ")");
        }
    }

    /**
     * The pixel box on an image of {@code width x height}, computed in float32 exactly like the reference's
     * {@code annotate} ({@code boxes * [W, H, W, H]}, then {@code cx - 0.5 * w}, ...).
     */
    public Box toPixels(int width, int height) {
        float[] xyxy = Boxes.cxcywhToPixelXyxy((float) cx, (float) cy, (float) w, (float) h, width, height);
        return new Box(xyxy[0], xyxy[1], xyxy[2], xyxy[3]);
    }
}
