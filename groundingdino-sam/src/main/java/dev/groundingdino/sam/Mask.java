package dev.groundingdino.sam;

import dev.groundingdino.Box;
import java.util.List;
import java.util.Objects;

/**
 * One predicted mask, at the original image size.
 *
 * @param bitmap the mask pixels ({@code logit > 0}), same size as the image
 * @param predictedIou the model's estimate of the mask's IoU with the object (SAM's {@code iou_predictions};
 *     not clamped, untrained or unusual prompts can give values outside [0, 1])
 * @param bounds the tightest box enclosing the mask pixels, as pixel edges: {@code (minX, minY, maxX + 1,
 *     maxY + 1)}; {@code (0, 0, 0, 0)} for an empty mask
 * @param area number of mask pixels
 */
public record Mask(MaskBitmap bitmap, float predictedIou, Box bounds, long area) {

    public Mask {
        Objects.requireNonNull(bitmap, "bitmap");
        Objects.requireNonNull(bounds, "bounds");
        if (area < 0) {
            throw new dev.groundingdino.InvalidValueException("area must not be negative, got " + area);
        }
    }

    /** True if no pixel is set. */
    public boolean isEmpty() {
        return area == 0;
    }

    /** The mask in COCO run-length encoding, as {@code pycocotools.mask.encode} ({@link MaskBitmap#toRle()}). */
    public CocoRle toRle() {
        return bitmap.toRle();
    }

    /** The mask's outer contours as COCO polygons {@code [x1, y1, x2, y2, ...]} ({@link MaskBitmap#toPolygons()}). */
    public List<int[]> toPolygons() {
        return bitmap.toPolygons();
    }
}
