package dev.groundingdino;

/**
 * A box in pixel coordinates of the input image: corners {@code (x0, y0)} top-left and {@code (x1, y1)}
 * bottom-right, origin at the image's top-left corner, x to the right, y down. Detector boxes are not clipped: a box
 * may reach slightly outside the image (use {@link #clampTo}).
 *
 * <p>Detector boxes hold the float32 values the reference computes ({@code boxes * [W, H, W, H]}, then
 * {@code box_convert(cxcywh -> xyxy)}), widened to double.
 *
 * @param x0 left edge
 * @param y0 top edge
 * @param x1 right edge
 * @param y1 bottom edge
 */
public record PixelBox(double x0, double y0, double x1, double y1) {

    /** Rejects non-finite coordinates. */
    public PixelBox {
        if (!Double.isFinite(x0) || !Double.isFinite(y0) || !Double.isFinite(x1) || !Double.isFinite(y1)) {
            throw new IllegalArgumentException("box coordinates must be finite, got (" + x0 + ", " + y0 + ", " + x1
                    + ", " + y1 + ")");
        }
    }

    /** {@code x1 - x0} (negative for an inverted box). */
    public double width() {
        return x1 - x0;
    }

    /** {@code y1 - y0} (negative for an inverted box). */
    public double height() {
        return y1 - y0;
    }

    /** The area, 0 for an empty or inverted box. */
    public double area() {
        return Math.max(0, width()) * Math.max(0, height());
    }

    /** Horizontal centre. */
    public double centerX() {
        return (x0 + x1) / 2;
    }

    /** Vertical centre. */
    public double centerY() {
        return (y0 + y1) / 2;
    }

    /** This box clipped to {@code [0, width] x [0, height]}. */
    public PixelBox clampTo(int width, int height) {
        return new PixelBox(clamp(x0, width), clamp(y0, height), clamp(x1, width), clamp(y1, height));
    }

    /** Intersection over union with {@code other}; 0 when both are empty. */
    public double iou(PixelBox other) {
        double iw = Math.max(0, Math.min(x1, other.x1) - Math.max(x0, other.x0));
        double ih = Math.max(0, Math.min(y1, other.y1) - Math.max(y0, other.y0));
        double inter = iw * ih;
        double union = area() + other.area() - inter;
        return union > 0 ? inter / union : 0;
    }

    private static double clamp(double v, int max) {
        return Math.min(Math.max(v, 0), max);
    }
}
