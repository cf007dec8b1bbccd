package dev.groundingdino.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Synthetic inputs shared by the modules' tests: noisy images and class lists of known token counts. */
public final class TestInputs {
    /** Words the bert-base-uncased tokenizer keeps whole (one token each). */
    private static final String[] WORDS = {"cat", "dog", "car", "tree", "house", "person", "chair", "table", "bottle",
        "cup", "phone", "book", "clock", "bird", "horse", "sheep", "cow", "bus", "train", "boat", "red", "blue",
        "green", "small", "large", "old", "wooden", "metal"};

    private TestInputs() {}

    /** A deterministic noisy strip (wide strips keep the tiny model's forward pass well under a second). */
    public static BufferedImage strip(long seed, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    /** The image encoded as PNG. */
    public static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /**
     * {@code n} two-word class names of one-token words (3 tokens each with their '.' in a class-list caption:
     * 84 fit a 256-token caption), offset by {@code salt}; distinct for n up to 700.
     */
    public static List<String> classNames(int n, int salt) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i + salt;
            out.add(WORDS[k % WORDS.length] + " " + WORDS[(k / WORDS.length + 3) % WORDS.length]);
        }
        return out;
    }
}
