package dev.groundingdino.internal.image;

/**
 * The size of an image in pixels, in the reference's (height, width) order.
 *
 * @param height number of rows, at least 1
 * @param width number of columns, at least 1
 */
public record ImageSize(int height, int width) {

    public ImageSize {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive, got height " + height + " x width " + width);
        }
    }

    /** {@code height * width}. */
    public long pixels() {
        return (long) height * width;
    }

    @Override
    public String toString() {
        return height + "x" + width + " (HxW)";
    }
}
