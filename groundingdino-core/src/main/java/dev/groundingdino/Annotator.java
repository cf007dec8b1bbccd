package dev.groundingdino;

import dev.groundingdino.internal.annotate.Canvas;
import dev.groundingdino.internal.annotate.DetectionPainter;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Draws detections on their image, like the reference's {@code annotate()}: each box outlined in a colour of its
 * label (distinct labels get distinct colours; class-list results colour by class) with a filled tag
 * {@code "<label> <score:.2f>"} at its top-left corner. Drawing uses OpenCV; the input image is never modified.
 *
 * <pre>{@code
 * DetectionResult result = detector.detect(Path.of("cat_dog.jpeg"), "cat . dog");
 * Annotator.write(Path.of("cat_dog.jpeg"), result, Path.of("output.jpg"));
 * }</pre>
 */
public final class Annotator {
    private Annotator() {}

    /**
     * The annotated image as a new {@code TYPE_3BYTE_BGR} image.
     *
     * @throws ImageException if the image cannot be decoded
     * @throws IllegalArgumentException if the result was computed for an image of another size
     */
    public static BufferedImage annotate(BufferedImage image, DetectionResult result) {
        try (Canvas canvas = paint(ImageDecoder.fromBufferedImage(Objects.requireNonNull(image, "image")), result)) {
            return canvas.toBufferedImage();
        }
    }

    /** The annotated image file as a new {@code TYPE_3BYTE_BGR} image. */
    public static BufferedImage annotate(Path image, DetectionResult result) {
        try (Canvas canvas = paint(ImageDecoder.read(Objects.requireNonNull(image, "image")), result)) {
            return canvas.toBufferedImage();
        }
    }

    /** The annotated encoded image as a new {@code TYPE_3BYTE_BGR} image. */
    public static BufferedImage annotate(byte[] encodedImage, DetectionResult result) {
        try (Canvas canvas = paint(ImageDecoder.decode(Objects.requireNonNull(encodedImage, "encodedImage")),
                result)) {
            return canvas.toBufferedImage();
        }
    }

    /**
     * Annotates an image file and writes the result; the format follows {@code output}'s extension
     * ({@code .jpg}/{@code .jpeg}, quality 95, or {@code .png}).
     *
     * @throws ImageException if the image cannot be decoded or the output cannot be written
     * @throws IllegalArgumentException if the output extension is not supported or the sizes do not match
     */
    public static void write(Path image, DetectionResult result, Path output) {
        Objects.requireNonNull(output, "output");
        Canvas.formatOf(output);
        try (Canvas canvas = paint(ImageDecoder.read(Objects.requireNonNull(image, "image")), result)) {
            canvas.write(output);
        }
    }

    /** Annotates a decoded image and writes the result (format by {@code output}'s extension). */
    public static void write(BufferedImage image, DetectionResult result, Path output) {
        Objects.requireNonNull(output, "output");
        Canvas.formatOf(output);
        try (Canvas canvas = paint(ImageDecoder.fromBufferedImage(Objects.requireNonNull(image, "image")), result)) {
            canvas.write(output);
        }
    }

    private static Canvas paint(RgbImage image, DetectionResult result) {
        Objects.requireNonNull(result, "result");
        if (image.width() != result.width() || image.height() != result.height()) {
            throw new InvalidValueException("the detections were computed on a " + result.width() + "x"
                    + result.height() + " image but this image is " + image.width() + "x" + image.height()
                    + "; annotate the image that was detected");
        }
        Canvas canvas = Canvas.of(image);
        try {
            new DetectionPainter().paint(canvas, result);
            return canvas;
        } catch (RuntimeException e) {
            canvas.close();
            throw e;
        }
    }
}
