package dev.groundingdino;

/**
 * An axis-aligned box in pixel coordinates of an image, the one box type of the library (detections, mask prompts,
 * exports): corners {@code (x0, y0)} top-left and {@code (x1, y1)} bottom-right (xyxy), origin at the image's top-left
 * corner, x to the right, y down. A pixel {@code (col, row)} covers {@code [col, col + 1) x [row, row + 1)}, so the
 * box of a whole W x H image is {@code (0, 0, W, H)}.
 *
 * <p>Detector boxes hold the float32 values the reference computes ({@code boxes * [W, H, W, H]}, then
 * {@code box_convert(cxcywh -> xyxy)}) widened to double; they are not clipped and may reach slightly outside the
 * image ({@link #clampTo}).
 *
 * @param x0 left edge
 * @param y0 top edge
 * @param x1 right edge, {@code >= x0}
 * @param y1 bottom edge, {@code >= y0}
 */
public record Box(double x0, double y0, double x1, double y1) {

    /**
     * @throws PromptException if a coordinate is NaN or infinite, or the box is inverted ({@code x1 < x0} or
     *     {@code y1 < y0}); boxes are most often prompts, and the message says how to fix them
     */
    public Box {
        if (!Double.isFinite(x0) || !Double.isFinite(y0) || !Double.isFinite(x1) || !Double.isFinite(y1)) {
            throw new PromptException("box " + describe(x0, y0, x1, y1) + " has a NaN or infinite coordinate; give "
                    + "finite pixel coordinates");
        }
        if (x1 < x0 || y1 < y0) {
            throw new PromptException("box " + describe(x0, y0, x1, y1) + " is inverted: boxes are (x0, y0, x1, y1) "
                    + "with x0 <= x1 and y0 <= y1 (top-left, then bottom-right corner). For (x, y, width, height) "
                    + "use Box.ofXywh.");
        }
    }

    /** A box from its top-left corner and size. */
    public static Box ofXywh(double x, double y, double width, double height) {
        return new Box(x, y, x + width, y + height);
    }

    /** {@code x1 - x0}. */
    public double width() {
        return x1 - x0;
    }

    /** {@code y1 - y0}. */
    public double height() {
        return y1 - y0;
    }

    /** The area (0 for an empty box). */
    public double area() {
        return width() * height();
    }

    /** Horizontal centre. */
    public double centerX() {
        return (x0 + x1) / 2;
    }

    /** Vertical centre. */
    public double centerY() {
        return (y0 + y1) / 2;
    }

    /** Whether the box lies within {@code [0, width] x [0, height]}. */
    public boolean isInside(int width, int height) {
        return x0 >= 0 && y0 >= 0 && x1 <= width && y1 <= height;
    }

    /** This box clipped to {@code [0, width] x [0, height]} (e.g. a detector box that overshoots the border). */
    public Box clampTo(int width, int height) {
        return new Box(clamp(x0, width), clamp(y0, height), clamp(x1, width), clamp(y1, height));
    }

    /** Intersection over union with {@code other}; 0 when both are empty. */
    public double iou(Box other) {
        double iw = Math.max(0, Math.min(x1, other.x1) - Math.max(x0, other.x0));
        double ih = Math.max(0, Math.min(y1, other.y1) - Math.max(y0, other.y0));
        double inter = iw * ih;
        double union = area() + other.area() - inter;
        return union > 0 ? inter / union : 0;
    }

    private static double clamp(double v, int max) {
        return Math.min(Math.max(v, 0), max);
    }

    @Override
    public String toString() {
        return describe(x0, y0, x1, y1);
    }

    private static String describe(double x0, double y0, double x1, double y1) {
        return "(x0=" + x0 + ", y0=" + y0 + ", x1=" + x1 + ", y1=" + y1 + ")";
    }
}
