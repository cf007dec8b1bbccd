package dev.groundingdino.sam;

import dev.groundingdino.ImageException;
import dev.groundingdino.sam.internal.export.MaskContours;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * An immutable binary mask of {@code width x height} pixels (row-major, origin top-left), one bit per pixel.
 * {@code get(x, y)} is true where the object is.
 */
public final class MaskBitmap {
    private final int width;
    private final int height;
    private final long[] bits;

    private MaskBitmap(int width, int height, long[] bits) {
        this.width = width;
        this.height = height;
        this.bits = bits;
    }

    /**
     * A mask from row-major pixels: {@code pixels[y * width + x] != 0} is set. The array is not kept.
     *
     * @throws IllegalArgumentException if a dimension is not positive or the array has the wrong length
     */
    public static MaskBitmap of(int width, int height, byte[] pixels) {
        return of(width, height, pixels, 0);
    }

    /** Like {@link #of(int, int, byte[])} reading {@code width * height} bytes from {@code offset}. */
    static MaskBitmap of(int width, int height, byte[] pixels, int offset) {
        if (width <= 0 || height <= 0) {
            throw new dev.groundingdino.InvalidValueException("mask dimensions must be positive, got " + width + "x" + height);
        }
        long n = (long) width * height;
        if (offset < 0 || offset + n > pixels.length) {
            throw new dev.groundingdino.InvalidValueException("a " + width + "x" + height + " mask needs " + n + " pixels from offset "
                    + offset + ", the array has " + pixels.length);
        }
        long[] bits = new long[(int) ((n + 63) >>> 6)];
        for (int i = 0; i < n; i++) {
            if (pixels[offset + i] != 0) {
                bits[i >>> 6] |= 1L << i;
            }
        }
        return new MaskBitmap(width, height, bits);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * True if pixel {@code (x, y)} belongs to the mask.
     *
     * @throws IndexOutOfBoundsException outside the mask
     */
    public boolean get(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + ", " + y + ") outside a " + width + "x" + height
                    + " mask");
        }
        int i = y * width + x;
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    /** Number of mask pixels. */
    public long area() {
        long n = 0;
        for (long w : bits) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** The pixels, row-major ({@code [y * width + x]}). */
    public boolean[] toBooleanArray() {
        boolean[] out = new boolean[width * height];
        for (int i = 0; i < out.length; i++) {
            out[i] = (bits[i >>> 6] & (1L << i)) != 0;
        }
        return out;
    }

    /** The mask in COCO run-length encoding ({@code pycocotools.mask.encode}); see {@link CocoRle}. */
    public CocoRle toRle() {
        return CocoRle.encode(this);
    }

    /**
     * The outer contours of the mask as COCO polygons {@code [x1, y1, x2, y2, ...]}, one per connected region
     * (OpenCV {@code findContours} with {@code RETR_EXTERNAL} and {@code CHAIN_APPROX_SIMPLE}). Vertices are the
     * integer coordinates of boundary pixels (pixel centres); holes are not represented; regions whose contour has
     * fewer than 3 vertices (a single pixel, a one-pixel-wide straight line) are left out, as COCO cannot hold them.
     * An empty mask gives an empty list.
     */
    public List<int[]> toPolygons() {
        return MaskContours.external(width, height, toBytes());
    }

    /** A grey image with 255 on the mask and 0 elsewhere (the reference's mask PNG layout). */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            if ((bits[i >>> 6] & (1L << i)) != 0) {
                data[i] = (byte) 255;
            }
        }
        return img;
    }

    /** Row-major pixels, 1 where set and 0 elsewhere. */
    byte[] toBytes() {
        byte[] out = new byte[width * height];
        for (int i = 0; i < out.length; i++) {
            if ((bits[i >>> 6] & (1L << i)) != 0) {
                out[i] = 1;
            }
        }
        return out;
    }

    /** Pixel {@code i} in row-major order, unchecked. */
    boolean bit(int i) {
        return (bits[i >>> 6] & (1L << i)) != 0;
    }

    /**
     * Writes {@link #toBufferedImage()} as an 8-bit grey PNG (255 = mask); missing folders are created.
     *
     * @throws ImageException if the file cannot be written
     */
    public void writePng(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            if (!ImageIO.write(toBufferedImage(), "png", abs.toFile())) {
                throw new ImageException("No PNG writer is available to write " + abs);
            }
        } catch (IOException e) {
            throw new ImageException("Could not write the mask PNG " + abs + ": " + e + ". Check that the folder is "
                    + "writable.", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskBitmap m && m.width == width && m.height == height && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "MaskBitmap[" + width + "x" + height + ", area " + area() + "]";
    }
}
