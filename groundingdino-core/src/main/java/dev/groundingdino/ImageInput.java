package dev.groundingdino;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One input image, for detection and segmentation alike: an image file, encoded image bytes (the content of a JPEG,
 * PNG, ... file) or a decoded {@link BufferedImage}. Decoding happens when a model uses it (like PIL's
 * {@code Image.open(p).convert("RGB")} for files and bytes), so a bad image fails that call with an
 * {@link ImageException} naming it.
 */
public final class ImageInput {
    private final Path path;
    private final byte[] encoded;
    private final BufferedImage image;

    private ImageInput(Path path, byte[] encoded, BufferedImage image) {
        this.path = path;
        this.encoded = encoded;
        this.image = image;
    }

    /** An image file (JPEG, PNG, BMP, TIFF, WebP, ...). */
    public static ImageInput of(Path file) {
        return new ImageInput(Objects.requireNonNull(file, "file"), null, null);
    }

    /** Encoded image bytes; the array is not copied, do not modify it before the call returns. */
    public static ImageInput of(byte[] encodedImage) {
        return new ImageInput(null, Objects.requireNonNull(encodedImage, "encodedImage"), null);
    }

    /** A decoded image; its colour samples are taken as RGB, alpha is ignored. */
    public static ImageInput of(BufferedImage image) {
        return new ImageInput(null, null, Objects.requireNonNull(image, "image"));
    }

    /** One input per file, in order. */
    public static List<ImageInput> files(List<Path> files) {
        Objects.requireNonNull(files, "files");
        List<ImageInput> out = new ArrayList<>(files.size());
        for (Path p : files) {
            out.add(of(p));
        }
        return out;
    }

    /** The file, or {@code null} for bytes or a BufferedImage. */
    public Path path() {
        return path;
    }

    /**
     * The encoded bytes (the array given to {@link #of(byte[])}, not a copy: do not modify it), or {@code null} for
     * a file or a BufferedImage.
     */
    public byte[] encodedBytes() {
        return encoded;
    }

    /** The decoded image given to {@link #of(BufferedImage)}, or {@code null} for a file or bytes. */
    public BufferedImage bufferedImage() {
        return image;
    }

    @Override
    public String toString() {
        if (path != null) {
            return path.toString();
        }
        if (encoded != null) {
            return "<" + encoded.length + " encoded bytes>";
        }
        return "<BufferedImage " + image.getWidth() + "x" + image.getHeight() + ">";
    }
}
