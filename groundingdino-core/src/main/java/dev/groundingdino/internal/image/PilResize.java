package dev.groundingdino.internal.image;

import java.util.Arrays;

/**
 * Pillow's bilinear resampling of 8-bit images, bit-exact: Pillow 9.4 {@code src/libImaging/Resample.c::
 * ImagingResample} with {@code BILINEAR}, which the references reach through torchvision's
 * {@code F.resize(pil_image, size)} = {@code PIL.Image.resize((w, h), BILINEAR)}.
 *
 * <p>The algorithm (NOTES.md section 1.3):
 * <ul>
 *   <li>separable: a horizontal pass first, only over the source rows the vertical pass will read, then a vertical
 *       pass; the intermediate image is uint8 (rounded and clamped);</li>
 *   <li>per output coordinate {@code i}: {@code scale = in/out}, {@code fs = max(scale, 1)} (the filter is widened
 *       when shrinking, i.e. antialiased), {@code support = fs}, {@code center = (i + 0.5) * scale}, input range
 *       {@code [max(0, (int)(center - support + 0.5)), min(in, (int)(center + support + 0.5)))}, weights
 *       {@code tri((j - center + 0.5) / fs)} normalised to sum 1, all in double;</li>
 *   <li>weights in fixed point with 22 fractional bits ({@code (int)(w * 2^22 + 0.5)}), int32 accumulation
 *       starting at {@code 2^21}, result {@code clamp(acc >> 22, 0, 255)};</li>
 *   <li>an axis whose size does not change is not filtered; the same size on both axes is a copy.</li>
 * </ul>
 * Integer arithmetic makes the order of accumulation irrelevant, so the loops below are arranged for speed.
 */
public final class PilResize {
    /** Fixed-point fraction bits: 32 - 8 - 2 (Pillow's {@code PRECISION_BITS}). */
    static final int PRECISION_BITS = 22;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PilResize() {}

    /**
     * Resizes with Pillow's {@code BILINEAR} filter (antialiased when shrinking).
     *
     * @throws IllegalArgumentException if a target dimension is not positive
     */
    public static RgbImage bilinear(RgbImage src, int outWidth, int outHeight) {
        RgbImage.checkDimensions(outWidth, outHeight);
        int inW = src.width();
        int inH = src.height();
        byte[] in = src.array();
        boolean horizontal = outWidth != inW;
        boolean vertical = outHeight != inH;
        if (!horizontal && !vertical) {
            return RgbImage.wrap(inW, inH, in.clone());
        }
        Coefficients vert = vertical ? Coefficients.bilinear(inH, outHeight) : null;
        byte[] rows = in;
        int rowsWidth = inW;
        if (horizontal) {
            Coefficients horiz = Coefficients.bilinear(inW, outWidth);
            // Only the source rows the vertical pass reads: [first, last).
            int first = vertical ? vert.start[0] : 0;
            int last = vertical ? vert.start[outHeight - 1] + vert.count[outHeight - 1] : inH;
            rows = horizontalPass(in, inW, first, last - first, horiz);
            rowsWidth = outWidth;
            if (vertical) {
                vert = vert.shifted(-first);
            }
        }
        byte[] out = vertical ? verticalPass(rows, rowsWidth, vert) : rows;
        return RgbImage.wrap(outWidth, outHeight, out);
    }

    /** Resizes to {@code size} (height, width) with {@link #bilinear(RgbImage, int, int)}. */
    public static RgbImage bilinear(RgbImage src, ImageSize size) {
        return bilinear(src, size.width(), size.height());
    }

    private static byte[] horizontalPass(byte[] in, int inW, int firstRow, int numRows, Coefficients c) {
        int outW = c.outSize;
        int ksize = c.ksize;
        int[] start = c.start;
        int[] count = c.count;
        int[] weights = c.weights;
        if ((long) outW * numRows * 3 > RgbImage.MAX_BYTES) {
            throw new IllegalArgumentException("intermediate image of " + outW + "x" + numRows
                    + " (WxH) pixels is too large; resize in two steps");
        }
        byte[] out = new byte[outW * numRows * 3];
        int o = 0;
        for (int y = 0; y < numRows; y++) {
            int rowBase = (firstRow + y) * inW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int k0 = xx * ksize;
                int n = count[xx];
                int p = rowBase + start[xx] * 3;
                int s0 = HALF;
                int s1 = HALF;
                int s2 = HALF;
                for (int k = 0; k < n; k++, p += 3) {
                    int w = weights[k0 + k];
                    s0 += (in[p] & 0xFF) * w;
                    s1 += (in[p + 1] & 0xFF) * w;
                    s2 += (in[p + 2] & 0xFF) * w;
                }
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
                o += 3;
            }
        }
        return out;
    }

    private static byte[] verticalPass(byte[] in, int width, Coefficients c) {
        int outH = c.outSize;
        int ksize = c.ksize;
        int rowLen = width * 3;
        byte[] out = new byte[outH * rowLen];
        int[] acc = new int[rowLen];
        for (int yy = 0; yy < outH; yy++) {
            Arrays.fill(acc, HALF);
            int k0 = yy * ksize;
            int n = c.count[yy];
            for (int k = 0; k < n; k++) {
                int w = c.weights[k0 + k];
                if (w == 0) {
                    continue; // adds nothing
                }
                int base = (c.start[yy] + k) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    acc[i] += (in[base + i] & 0xFF) * w;
                }
            }
            int o = yy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                out[o + i] = clip8(acc[i]);
            }
        }
        return out;
    }

    /** Pillow's {@code clip8}: {@code clamp(acc >> 22, 0, 255)} with an arithmetic shift. */
    static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /**
     * The resampling table of one axis ({@code precompute_coeffs} + {@code normalize_coeffs_8bpc}): for output
     * index {@code i}, input samples {@code start[i] .. start[i] + count[i] - 1} with fixed-point weights
     * {@code weights[i * ksize + k]}.
     */
    static final class Coefficients {
        final int inSize;
        final int outSize;
        final int ksize;
        final int[] start;
        final int[] count;
        final int[] weights;

        private Coefficients(int inSize, int outSize, int ksize, int[] start, int[] count, int[] weights) {
            this.inSize = inSize;
            this.outSize = outSize;
            this.ksize = ksize;
            this.start = start;
            this.count = count;
            this.weights = weights;
        }

        static Coefficients bilinear(int inSize, int outSize) {
            // Pillow passes the box edges as float: (double)(in1 - in0) with in0 = 0.0f, in1 = (float) inSize.
            double scale = (double) (float) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale; // BILINEAR support 1.0
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * ksize];
            double[] w = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = 0.0 + (xx + 0.5) * scale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double v = triangle((x + xmin - center + 0.5) * ss);
                    w[x] = v;
                    ww += v;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? w[x] / ww : w[x];
                    weights[xx * ksize + x] = v < 0
                            ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(inSize, outSize, ksize, start, count, weights);
        }

        /** The same table with every start moved by {@code delta} (input rows renumbered). */
        Coefficients shifted(int delta) {
            int[] s = start.clone();
            for (int i = 0; i < s.length; i++) {
                s[i] += delta;
            }
            return new Coefficients(inSize, outSize, ksize, s, count, weights);
        }

        private static double triangle(double x) {
            if (x < 0.0) {
                x = -x;
            }
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
