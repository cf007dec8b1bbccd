package dev.groundingdino.sam;

/**
 * An axis-aligned box in pixel coordinates of an image, origin at the top-left corner, x to the right and y down:
 * {@code (x0, y0)} is the top-left and {@code (x1, y1)} the bottom-right corner (xyxy, the layout of
 * {@code SamPredictor.predict(box=...)}). A pixel {@code (col, row)} covers {@code [col, col + 1) x [row, row + 1)},
 * so a box covering a whole W x H image is {@code (0, 0, W, H)}.
 *
 * @throws InvalidBoxException if a coordinate is NaN or infinite
 * @throws InvertedBoxException if {@code x1 < x0} or {@code y1 < y0}
 */
public record Box(double x0, double y0, double x1, double y1) {

    public Box {
        if (!Double.isFinite(x0) || !Double.isFinite(y0) || !Double.isFinite(x1) || !Double.isFinite(y1)) {
            throw new InvalidBoxException("box " + describe(x0, y0, x1, y1) + " has a NaN or infinite coordinate; "
                    + "give finite pixel coordinates");
        }
        if (x1 < x0 || y1 < y0) {
            throw new InvertedBoxException("box " + describe(x0, y0, x1, y1) + " is inverted: boxes are (x0, y0, x1, "
                    + "y1) with x0 <= x1 and y0 <= y1 (top-left, then bottom-right). If you have (x, y, width, "
                    + "height), use Box.ofXywh.");
        }
    }

    /** A box from its top-left corner and size. */
    public static Box ofXywh(double x, double y, double width, double height) {
        return new Box(x, y, x + width, y + height);
    }

    public double width() {
        return x1 - x0;
    }

    public double height() {
        return y1 - y0;
    }

    /** True if the box lies within {@code [0, width] x [0, height]}. */
    public boolean isInside(int width, int height) {
        return x0 >= 0 && y0 >= 0 && x1 <= width && y1 <= height;
    }

    /** This box clipped to {@code [0, width] x [0, height]} (e.g. a detector box that overshoots the border). */
    public Box clampTo(int width, int height) {
        return new Box(clamp(x0, width), clamp(y0, height), clamp(x1, width), clamp(y1, height));
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
