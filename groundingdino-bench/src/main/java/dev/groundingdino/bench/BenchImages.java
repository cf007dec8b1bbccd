package dev.groundingdino.bench;

import dev.groundingdino.internal.image.RgbImage;
import java.util.SplittableRandom;

/** Synthetic benchmark inputs: seeded random RGB images (the latency does not depend on the pixel values). */
public final class BenchImages {
    private BenchImages() {}

    /** A {@code width x height} image of seeded uniform random pixels. */
    public static RgbImage random(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) random.nextInt(256);
        }
        return RgbImage.of(width, height, rgb);
    }

    /** Parses {@code WIDTHxHEIGHT}. */
    public static int[] parseSize(String size) {
        String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
        if (wh.length != 2) {
            throw new IllegalArgumentException("size must be WIDTHxHEIGHT, e.g. 800x600, got '" + size + "'");
        }
        return new int[] {Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim())};
    }
}
