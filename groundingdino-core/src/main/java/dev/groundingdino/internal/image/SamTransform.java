package dev.groundingdino.internal.image;

import dev.groundingdino.ImageException;

/**
 * SAM's image and box preprocessing, bit-exact: {@code segment_anything/utils/transforms.py::ResizeLongestSide}
 * ({@code get_preprocess_shape}, {@code apply_image}, {@code apply_coords}, {@code apply_boxes},
 * {@code apply_boxes_torch}) and {@code segment_anything/modeling/sam.py::Sam.preprocess} (normalise, zero-pad to
 * 1024x1024), as used by {@code SamPredictor.set_image}.
 */
public final class SamTransform {
    /** SAM's input side length ({@code image_encoder.img_size}) and ResizeLongestSide target. */
    public static final int IMG_SIZE = 1024;

    private static final float[] PIXEL_MEAN = {123.675f, 116.28f, 103.53f};
    private static final float[] PIXEL_STD = {58.395f, 57.12f, 57.375f};

    private SamTransform() {}

    /** {@link #preprocessShape(int, int, int)} with the 1024 target. */
    public static ImageSize preprocessShape(int height, int width) {
        return preprocessShape(height, width, IMG_SIZE);
    }

    /**
     * {@code ResizeLongestSide.get_preprocess_shape}: {@code scale = longSide / max(h, w)}, then
     * {@code int(h * scale + 0.5)} and {@code int(w * scale + 0.5)} in float64.
     *
     * @throws IllegalArgumentException if an argument is not positive
     * @throws ImageException if the aspect ratio is so extreme that the shorter side would become 0
     */
    public static ImageSize preprocessShape(int height, int width, int longSide) {
        if (height <= 0 || width <= 0 || longSide <= 0) {
            throw new IllegalArgumentException("preprocessShape needs positive values, got height " + height
                    + ", width " + width + ", longSide " + longSide);
        }
        double scale = longSide * 1.0 / Math.max(height, width);
        int newH = (int) (height * scale + 0.5);
        int newW = (int) (width * scale + 0.5);
        if (newH == 0 || newW == 0) {
            throw new ImageException("An image of " + height + "x" + width + " (HxW) is too elongated for SAM: its "
                    + "shorter side would become 0 pixels at " + longSide + " on the longer side; crop or pad it to an "
                    + "aspect ratio below " + (2 * longSide) + ":1.");
        }
        return new ImageSize(newH, newW);
    }

    /** {@code ResizeLongestSide(1024).apply_image}: Pillow bilinear resize to {@link #preprocessShape(int, int)}. */
    public static RgbImage applyImage(RgbImage image) {
        return PilResize.bilinear(image, preprocessShape(image.height(), image.width()));
    }

    /**
     * {@code Sam.preprocess}: {@code (u8 - mean) / std} in float32 per channel, zero-padded right and bottom (the pad
     * value is 0 after normalisation), shape {@code [1, 3, 1024, 1024]}.
     *
     * @param inputImage the resized image ({@link #applyImage}), at most 1024 on each side
     * @throws IllegalArgumentException if the image is larger than 1024 on a side
     */
    public static PixelTensor preprocess(RgbImage inputImage) {
        int h = inputImage.height();
        int w = inputImage.width();
        if (h > IMG_SIZE || w > IMG_SIZE) {
            throw new IllegalArgumentException("SAM's input must fit in " + IMG_SIZE + "x" + IMG_SIZE + ", got "
                    + inputImage.size() + "; resize it with applyImage first");
        }
        int plane = IMG_SIZE * IMG_SIZE;
        byte[] rgb = inputImage.array();
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            float mean = PIXEL_MEAN[c];
            float std = PIXEL_STD[c];
            for (int y = 0; y < h; y++) {
                int o = c * plane + y * IMG_SIZE;
                int p = y * w * 3 + c;
                for (int x = 0; x < w; x++, p += 3) {
                    out[o + x] = ((rgb[p] & 0xFF) - mean) / std;
                }
            }
        }
        return PixelTensor.wrap(out, 1, 3, IMG_SIZE, IMG_SIZE);
    }

    /** {@code SamPredictor.set_image}'s whole image path: {@code preprocess(applyImage(image))}. */
    public static PixelTensor apply(RgbImage image) {
        return preprocess(applyImage(image));
    }

    /**
     * {@code apply_coords}: points {@code (x, y)} in original pixels, flattened, to the resized input's frame:
     * {@code x * (newW / w)}, {@code y * (newH / h)} in float64. Returns a new array.
     */
    public static double[] applyCoords(double[] xy, ImageSize originalSize) {
        if (xy.length % 2 != 0) {
            throw new IllegalArgumentException("coordinates come in (x, y) pairs, got " + xy.length + " values");
        }
        ImageSize target = preprocessShape(originalSize.height(), originalSize.width());
        double sx = (double) target.width() / originalSize.width();
        double sy = (double) target.height() / originalSize.height();
        double[] out = new double[xy.length];
        for (int i = 0; i < xy.length; i += 2) {
            out[i] = xy[i] * sx;
            out[i + 1] = xy[i + 1] * sy;
        }
        return out;
    }

    /**
     * {@code apply_boxes}: boxes {@code (x0, y0, x1, y1)} in original pixels, flattened, transformed like
     * {@link #applyCoords} in float64 (the {@code SamPredictor.predict} path).
     */
    public static double[] applyBoxes(double[] boxesXyxy, ImageSize originalSize) {
        if (boxesXyxy.length % 4 != 0) {
            throw new IllegalArgumentException("boxes come as (x0, y0, x1, y1), got " + boxesXyxy.length + " values");
        }
        return applyCoords(boxesXyxy, originalSize);
    }

    /**
     * {@code apply_boxes_torch}: the same in float32, {@code float(x) * float(newW / w)} rounded to float32 (the
     * {@code SamPredictor.predict_torch} path; it can differ from {@link #applyBoxes} in the last float bits).
     */
    public static float[] applyBoxesTorch(float[] boxesXyxy, ImageSize originalSize) {
        if (boxesXyxy.length % 4 != 0) {
            throw new IllegalArgumentException("boxes come as (x0, y0, x1, y1), got " + boxesXyxy.length + " values");
        }
        ImageSize target = preprocessShape(originalSize.height(), originalSize.width());
        float sx = (float) ((double) target.width() / originalSize.width());
        float sy = (float) ((double) target.height() / originalSize.height());
        float[] out = new float[boxesXyxy.length];
        for (int i = 0; i < boxesXyxy.length; i += 2) {
            out[i] = boxesXyxy[i] * sx;
            out[i + 1] = boxesXyxy[i + 1] * sy;
        }
        return out;
    }
}
