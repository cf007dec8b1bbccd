package dev.groundingdino.internal.image;

import dev.groundingdino.ImageException;

/**
 * GroundingDINO's inference preprocessing, {@code groundingdino/util/inference.py::load_image}:
 * {@code T.RandomResize([800], max_size=1333)} ({@code groundingdino/datasets/transforms.py::resize}, which calls
 * torchvision's PIL resize = Pillow bilinear), {@code T.ToTensor()} and
 * {@code T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])}, reproduced bit-exactly.
 */
public final class GroundingDinoTransform {
    /** Target length of the shorter side. */
    public static final int SIZE = 800;
    /** Bound on the longer side (which the reference's rounding can still exceed by a few pixels). */
    public static final int MAX_SIZE = 1333;

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private GroundingDinoTransform() {}

    /** The normalisation mean per channel (float32, RGB). */
    public static float[] mean() {
        return MEAN.clone();
    }

    /** The normalisation standard deviation per channel (float32, RGB). */
    public static float[] std() {
        return STD.clone();
    }

    /**
     * The resized (height, width) for an image of {@code height x width} with the defaults 800 / 1333.
     *
     * @see #resizeShape(int, int, int, int)
     */
    public static ImageSize resizeShape(int height, int width) {
        return resizeShape(height, width, SIZE, MAX_SIZE);
    }

    /**
     * {@code transforms.py::get_size_with_aspect_ratio}: the shorter side becomes {@code size}, reduced to
     * {@code int(round(maxSize * short / long))} (Python's banker's rounding) when the longer side would otherwise
     * exceed {@code maxSize}; the longer side is then {@code int(size * long / short)} (truncated, so it can exceed
     * {@code maxSize}: 100x2000 gives 67x1340). An image whose shorter side already equals the target keeps its size,
     * and {@code w == h} takes the "width is the longer side" branch, like the reference.
     *
     * @throws IllegalArgumentException if a dimension is not positive
     * @throws ImageException if the aspect ratio is so extreme that the shorter side would become 0
     */
    public static ImageSize resizeShape(int height, int width, int size, int maxSize) {
        if (height <= 0 || width <= 0 || size <= 0 || maxSize <= 0) {
            throw new IllegalArgumentException("resizeShape needs positive values, got height " + height + ", width "
                    + width + ", size " + size + ", maxSize " + maxSize);
        }
        double minOriginal = Math.min(width, height);
        double maxOriginal = Math.max(width, height);
        if (maxOriginal / minOriginal * size > maxSize) {
            size = (int) Math.rint(maxSize * minOriginal / maxOriginal);
            if (size == 0) {
                throw new ImageException("An image of " + height + "x" + width + " (HxW) is too elongated for "
                        + "GroundingDINO's resize rule (its shorter side would become 0 pixels); crop or pad it to an "
                        + "aspect ratio below " + (2 * maxSize) + ":1.");
            }
        }
        if ((width <= height && width == size) || (height <= width && height == size)) {
            return new ImageSize(height, width);
        }
        int oh;
        int ow;
        if (width < height) {
            ow = size;
            oh = (int) ((double) ((long) size * height) / width);
        } else {
            oh = size;
            ow = (int) ((double) ((long) size * width) / height);
        }
        return new ImageSize(oh, ow);
    }

    /** The reference's resize of {@code image} to {@link #resizeShape(int, int)}, as uint8 RGB. */
    public static RgbImage resize(RgbImage image) {
        return PilResize.bilinear(image, resizeShape(image.height(), image.width()));
    }

    /**
     * {@code ToTensor} + {@code Normalize}: CHW float32 {@code [3, H, W]} with {@code (u8 / 255f - mean) / std},
     * every step a float32 operation as in torch.
     */
    public static PixelTensor normalize(RgbImage image) {
        int h = image.height();
        int w = image.width();
        int plane = h * w;
        byte[] rgb = image.array();
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            float mean = MEAN[c];
            float std = STD[c];
            int o = c * plane;
            for (int i = 0, p = c; i < plane; i++, p += 3) {
                float x = (rgb[p] & 0xFF) / 255.0f;
                out[o + i] = (x - mean) / std;
            }
        }
        return PixelTensor.wrap(out, 3, h, w);
    }

    /** The whole transform: {@code normalize(resize(image))}, shape {@code [3, H', W']}. */
    public static PixelTensor apply(RgbImage image) {
        return normalize(resize(image));
    }
}
