package dev.groundingdino.internal.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An immutable 8-bit RGB image, HWC order: row-major, 3 bytes per pixel (R, G, B), no padding. This is the pixel
 * layout of the reference's {@code numpy.asarray(PIL.Image.open(p).convert("RGB"))}.
 *
 * <p>The pixel array is never shared with callers: {@link #of} copies its argument, {@link #rgb()} returns a copy
 * and {@link #pixels()} a read-only view.
 */
public final class RgbImage {
    /** The largest pixel array a Java {@code byte[]} can hold reliably. */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 8L;

    private final int width;
    private final int height;
    private final byte[] rgb;

    private RgbImage(int width, int height, byte[] rgb) {
        checkDimensions(width, height);
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("RGB array has " + rgb.length + " bytes but a " + width + "x" + height
                    + " (WxH) image needs width*height*3 = " + ((long) width * height * 3));
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /**
     * An image from interleaved RGB bytes (row-major, {@code width*height*3} of them); the array is copied.
     *
     * @throws IllegalArgumentException if a dimension is not positive or the array has the wrong length
     */
    public static RgbImage of(int width, int height, byte[] rgb) {
        if (rgb == null) {
            throw new NullPointerException("rgb");
        }
        return new RgbImage(width, height, rgb.clone());
    }

    /** Takes ownership of {@code rgb} without copying; only for arrays nobody else references. */
    static RgbImage wrap(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb);
    }

    /**
     * Checks that a {@code width x height} RGB image is non-empty and fits in one Java array.
     *
     * @throws IllegalArgumentException otherwise
     */
    static void checkDimensions(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "image dimensions must be positive, got width " + width + " x height " + height);
        }
        if ((long) width * height * 3 > MAX_BYTES) {
            throw new IllegalArgumentException("image of " + width + "x" + height + " (WxH) pixels is too large: at most "
                    + (MAX_BYTES / 3) + " pixels are supported");
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** (height, width). */
    public ImageSize size() {
        return new ImageSize(height, width);
    }

    /** A copy of the interleaved RGB bytes. */
    public byte[] rgb() {
        return rgb.clone();
    }

    /** A read-only view of the interleaved RGB bytes (no copy). */
    public ByteBuffer pixels() {
        return ByteBuffer.wrap(rgb).asReadOnlyBuffer();
    }

    /** The pixel array itself, for code in this package that promises not to modify it. */
    byte[] array() {
        return rgb;
    }

    /**
     * One sample, 0..255.
     *
     * @param channel 0 = red, 1 = green, 2 = blue
     */
    public int sample(int x, int y, int channel) {
        if (x < 0 || x >= width || y < 0 || y >= height || channel < 0 || channel > 2) {
            throw new IndexOutOfBoundsException("(x " + x + ", y " + y + ", channel " + channel + ") outside a "
                    + width + "x" + height + " (WxH) RGB image");
        }
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /** A new {@code TYPE_3BYTE_BGR} image with the same pixels (e.g. to draw on or to write with ImageIO). */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && other.width == width && other.height == height
                && Arrays.equals(other.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + " (WxH)]";
    }
}
