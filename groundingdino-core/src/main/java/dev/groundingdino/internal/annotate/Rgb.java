package dev.groundingdino.internal.annotate;

/**
 * An opaque 8-bit colour.
 *
 * @param r red, 0..255
 * @param g green, 0..255
 * @param b blue, 0..255
 */
public record Rgb(int r, int g, int b) {
    /** Black. */
    public static final Rgb BLACK = new Rgb(0, 0, 0);
    /** White. */
    public static final Rgb WHITE = new Rgb(255, 255, 255);

    /** Rejects components outside 0..255. */
    public Rgb {
        if ((r | g | b) < 0 || r > 255 || g > 255 || b > 255) {
            throw new IllegalArgumentException("colour components must be in 0..255, got (" + r + ", " + g + ", " + b
                    + ")");
        }
    }

    /** A colour from {@code 0xRRGGBB}. */
    public static Rgb of(int rgb) {
        return new Rgb((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
    }

    /** Relative luminance in [0, 1] (ITU-R BT.601 weights), to choose a readable text colour. */
    public double luminance() {
        return (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;
    }

    /** Black or white, whichever is more readable on this colour. */
    public Rgb contrasting() {
        return luminance() > 0.55 ? BLACK : WHITE;
    }
}
