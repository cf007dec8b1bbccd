package dev.groundingdino.cli.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * An uploaded image whose format and size were read from its header, before anything decodes its pixels: a huge
 * or unknown image is refused without spending memory on it.
 *
 * @param bytes the uploaded file's content
 * @param format the format ImageIO recognised, e.g. {@code "jpeg"} or {@code "png"}
 * @param width width in pixels from the header
 * @param height height in pixels from the header
 */
record UploadedImage(byte[] bytes, String format, int width, int height) {
    /** The formats whose headers the JDK reads; others are refused with a message naming these. */
    static final String ACCEPTED = "JPEG, PNG, BMP, GIF or TIFF";

    /**
     * Reads the header of {@code bytes} and checks its dimensions.
     *
     * @throws WebProblem 400 if nothing was uploaded or the data is not an image of an accepted format, 413 if a
     *     side exceeds {@code maxSide}
     */
    static UploadedImage check(byte[] bytes, int maxSide) {
        if (bytes.length == 0) {
            throw new WebProblem(400, "No image was uploaded: choose an image file (" + ACCEPTED + ") first.");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new WebProblem(400, "The uploaded file (" + bytes.length + " bytes) is not an image this demo "
                        + "accepts; upload a " + ACCEPTED + " file.");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new WebProblem(400, "The uploaded " + format + " image has no pixels (" + width + "x"
                            + height + "); upload a non-empty image.");
                }
                if (width > maxSide || height > maxSide) {
                    throw new WebProblem(413, "The uploaded image is " + width + "x" + height + " pixels; this "
                            + "server accepts at most " + maxSide + " pixels on each side. Scale it down and "
                            + "upload it again.");
                }
                return new UploadedImage(bytes, format, width, height);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof WebProblem problem) {
                throw problem;
            }
            throw new WebProblem(400, "The uploaded file (" + bytes.length + " bytes) is not a readable image: its "
                    + "header is damaged or truncated. Upload a " + ACCEPTED + " file.");
        }
    }
}
