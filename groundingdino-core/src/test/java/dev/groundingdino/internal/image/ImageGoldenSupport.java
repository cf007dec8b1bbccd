package dev.groundingdino.internal.image;

import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small helpers shared by the image tests: digests and conversions to the {@code Fingerprint} value arrays. */
final class ImageGoldenSupport {
    private ImageGoldenSupport() {}

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The image's bytes as unsigned values, HWC order. */
    static double[] values(RgbImage image) {
        byte[] rgb = image.rgb();
        double[] out = new double[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = rgb[i] & 0xFF;
        }
        return out;
    }

    static long[] hwcShape(RgbImage image) {
        return new long[] {image.height(), image.width(), 3};
    }

    static double[] values(PixelTensor t) {
        FloatBuffer b = t.buffer();
        double[] out = new double[t.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }
}
