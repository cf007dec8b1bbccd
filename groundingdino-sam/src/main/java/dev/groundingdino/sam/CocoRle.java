package dev.groundingdino.sam;

import java.util.Arrays;
import java.util.Objects;

/**
 * A binary mask in COCO run-length encoding, exactly as {@code pycocotools.mask.encode} produces it: the pixels are
 * read in column-major (Fortran) order, top to bottom within a column and the columns left to right, and
 * {@link #counts()} holds the lengths of alternating runs of 0s and 1s, starting with 0s (a mask whose first pixel
 * is set starts with a run of length 0).
 *
 * <p>{@link #toCompressedString()} is pycocotools' compact string form ({@code rleToString}, the {@code counts}
 * bytes of {@code mask.encode}): each count, from the fourth on as the difference to the count two before it, is
 * written as little-endian groups of 5 bits, each group as the character {@code 48 + group} with bit {@code 0x20} set
 * while more groups follow. In a COCO JSON file it appears as {@code {"size": [height, width], "counts": "..."}}
 * ({@link #size()}).
 *
 * <p>Immutable; {@link #toBitmap()} decodes it back.
 */
public final class CocoRle {
    private final int height;
    private final int width;
    private final int[] counts;

    private CocoRle(int height, int width, int[] counts) {
        this.height = height;
        this.width = width;
        this.counts = counts;
    }

    /** Encodes a mask (same as {@link MaskBitmap#toRle()}). */
    public static CocoRle encode(MaskBitmap mask) {
        Objects.requireNonNull(mask, "mask");
        int h = mask.height();
        int w = mask.width();
        int[] runs = new int[16];
        int n = 0;
        boolean current = false;
        int run = 0;
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                boolean v = mask.bit(y * w + x);
                if (v != current) {
                    if (n == runs.length) {
                        runs = Arrays.copyOf(runs, n * 2);
                    }
                    runs[n++] = run;
                    run = 0;
                    current = v;
                }
                run++;
            }
        }
        if (n == runs.length) {
            runs = Arrays.copyOf(runs, n + 1);
        }
        runs[n++] = run;
        return new CocoRle(h, w, Arrays.copyOf(runs, n));
    }

    /**
     * An RLE from uncompressed counts ({@code {"size": [height, width], "counts": [...]}} in COCO JSON).
     *
     * @throws IllegalArgumentException if a dimension is not positive, a count is negative, or the counts do not add
     *     up to {@code height * width}
     */
    public static CocoRle fromCounts(int height, int width, int[] counts) {
        Objects.requireNonNull(counts, "counts");
        checkSize(height, width);
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new dev.groundingdino.InvalidValueException("RLE count " + i + " is negative (" + counts[i] + "); counts are "
                        + "run lengths");
            }
            total += counts[i];
        }
        if (total != (long) height * width) {
            throw new dev.groundingdino.InvalidValueException("RLE counts add up to " + total + " pixels, a " + width + "x" + height
                    + " (WxH) mask has " + (long) height * width + "; check that size is [height, width]");
        }
        return new CocoRle(height, width, counts.clone());
    }

    /**
     * Decodes pycocotools' compressed string form ({@code rleFrString}), e.g. the {@code counts} of a COCO JSON
     * {@code segmentation} with {@code "size": [height, width]}.
     *
     * @throws IllegalArgumentException if the string holds characters outside {@code '0'..'o'}, ends inside a
     *     count, or decodes to counts that are negative or do not cover {@code height * width} pixels
     */
    public static CocoRle fromCompressedString(int height, int width, String compressed) {
        Objects.requireNonNull(compressed, "compressed");
        checkSize(height, width);
        int[] out = new int[16];
        int m = 0;
        int p = 0;
        int len = compressed.length();
        while (p < len) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= len) {
                    throw new dev.groundingdino.InvalidValueException("compressed RLE string ends inside a count (at character "
                            + p + "); it is truncated");
                }
                int c = compressed.charAt(p) - 48;
                if (c < 0 || c > 63 || k > 12) {
                    throw new dev.groundingdino.InvalidValueException("compressed RLE string has an invalid character '"
                            + compressed.charAt(p) + "' at " + p + "; it is not pycocotools' rleToString form");
                }
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (m > 2) {
                x += out[m - 2];
            }
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw new dev.groundingdino.InvalidValueException("compressed RLE string decodes to an invalid count " + x
                        + " (count " + m + ")");
            }
            if (m == out.length) {
                out = Arrays.copyOf(out, m * 2);
            }
            out[m++] = (int) x;
        }
        return fromCounts(height, width, Arrays.copyOf(out, m));
    }

    private static void checkSize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new dev.groundingdino.InvalidValueException("mask dimensions must be positive, got height " + height + ", width "
                    + width);
        }
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** {@code [height, width]}, the COCO {@code size} field. */
    public int[] size() {
        return new int[] {height, width};
    }

    /** The uncompressed run lengths (a copy), alternating 0s and 1s, starting with 0s, column-major. */
    public int[] counts() {
        return counts.clone();
    }

    /** Number of set pixels (pycocotools' {@code area}). */
    public long area() {
        long a = 0;
        for (int i = 1; i < counts.length; i += 2) {
            a += counts[i];
        }
        return a;
    }

    /** pycocotools' compressed string ({@code rleToString}; the ASCII {@code counts} of {@code mask.encode}). */
    public String toCompressedString() {
        StringBuilder s = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) { // pycocotools deltas from the fourth count on ("i > 2"), not from the third
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5; // arithmetic: a negative delta ends in -1
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /** The mask this RLE encodes. */
    public MaskBitmap toBitmap() {
        byte[] pixels = new byte[height * width];
        int i = 0; // position in column-major order
        boolean on = false;
        for (int run : counts) {
            if (on) {
                for (int j = i; j < i + run; j++) {
                    int x = j / height;
                    int y = j - x * height;
                    pixels[y * width + x] = 1;
                }
            }
            i += run;
            on = !on;
        }
        return MaskBitmap.of(width, height, pixels);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CocoRle r && r.height == height && r.width == width && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * height + width) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "CocoRle[size=[" + height + ", " + width + "], counts=" + toCompressedString() + "]";
    }
}
