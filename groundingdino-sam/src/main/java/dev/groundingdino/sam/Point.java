package dev.groundingdino.sam;

import dev.groundingdino.PromptException;

/**
 * A point prompt in pixel coordinates of the image (origin top-left, x right, y down; the centre of pixel
 * {@code (col, row)} is {@code (col + 0.5, row + 0.5)}): on the object ({@code foreground}, SAM's label 1) or
 * outside it (label 0).
 *
 * @param x horizontal position in pixels
 * @param y vertical position in pixels
 * @param foreground true for a point on the object, false for a point on the background
 */
public record Point(double x, double y, boolean foreground) {

    /** @throws PromptException if a coordinate is NaN or infinite */
    public Point {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new PromptException("point (" + x + ", " + y + ") has a NaN or infinite coordinate; give finite "
                    + "pixel coordinates");
        }
    }

    /** A point on the object (label 1). */
    public static Point foreground(double x, double y) {
        return new Point(x, y, true);
    }

    /** A point on the background (label 0). */
    public static Point background(double x, double y) {
        return new Point(x, y, false);
    }

    /** SAM's label: 1 for foreground, 0 for background. */
    public int label() {
        return foreground ? 1 : 0;
    }
}
