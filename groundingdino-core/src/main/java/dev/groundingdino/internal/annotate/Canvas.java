package dev.groundingdino.internal.annotate;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_PNG_COMPRESSION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import dev.groundingdino.ImageException;
import dev.groundingdino.internal.export.AtomicFiles;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.Natives;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A copy of an image to draw on with OpenCV: box outlines, filled label tags with text, translucent masks; then
 * read back as {@link RgbImage} / {@link BufferedImage}, or encoded as JPEG / PNG.
 *
 * <pre>{@code
 * try (Canvas canvas = Canvas.of(image)) {
 *     Rgb colour = Palette.DEFAULT.color(0);
 *     canvas.blendMask(maskBytes, colour, 0.45);          // w*h bytes, non-zero = inside
 *     canvas.drawBox(10, 20, 200, 180, colour);
 *     canvas.drawLabel("cat 0.87", 10, 20, colour);
 *     canvas.write(Path.of("out.jpg"));
 * }
 * }</pre>
 *
 * <p>Line width and text size follow the image size ({@link #lineThickness()}, {@link #textScale()}). Text is drawn
 * with OpenCV's Hershey font, which covers printable ASCII only (other characters show as {@code ?}). The pixels
 * live in native memory until {@link #close()} (idempotent). Not thread-safe: one canvas per thread.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class Canvas implements AutoCloseable {
    private static final int JPEG_QUALITY = 95;

    private final int width;
    private final int height;
    private final Mat bgr;
    private boolean closed;

    private Canvas(int width, int height, Mat bgr) {
        this.width = width;
        this.height = height;
        this.bgr = bgr;
    }

    /** A canvas holding a copy of {@code image}. */
    public static Canvas of(RgbImage image) {
        Objects.requireNonNull(image, "image");
        Natives.ensureOpenCvLoaded();
        int w = image.width();
        int h = image.height();
        byte[] pixels = image.rgb();
        swapRedBlue(pixels);
        Mat mat = new Mat(h, w, CV_8UC3);
        mat.data().put(pixels, 0, pixels.length);
        return new Canvas(w, h, mat);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Outline width used by {@link #drawBox(double, double, double, double, Rgb)}: 2 px, more on large images. */
    public int lineThickness() {
        return Math.max(2, (int) Math.round(Math.min(width, height) / 400.0));
    }

    /** Font scale used by {@link #drawLabel}: 0.5 at 800 px on the short side, within [0.4, 1.5]. */
    public double textScale() {
        return Math.min(1.5, Math.max(0.4, Math.min(width, height) / 1600.0));
    }

    /** Draws a box outline (corners in pixels, like {@code Box}) with {@link #lineThickness()}. */
    public void drawBox(double x0, double y0, double x1, double y1, Rgb color) {
        drawBox(x0, y0, x1, y1, color, lineThickness());
    }

    /** Draws a box outline {@code thickness} pixels wide; coordinates are rounded, boxes outside are clipped. */
    public void drawBox(double x0, double y0, double x1, double y1, Rgb color, int thickness) {
        checkOpen();
        if (thickness < 1) {
            throw new IllegalArgumentException("thickness must be >= 1, got " + thickness);
        }
        try (PointerScope scope = new PointerScope()) {
            rectangle(bgr, point(x0, y0), point(x1, y1), scalar(color), thickness, LINE_8, 0);
        }
    }

    /**
     * Draws {@code text} on a filled tag of {@code background} whose bottom-left corner sits at the box corner
     * {@code (x, y)} (above the box); when there is no room above, the tag goes just inside the box. The text is
     * black or white, whichever is more readable on the background.
     */
    public void drawLabel(String text, double x, double y, Rgb background) {
        checkOpen();
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            return;
        }
        double scale = textScale();
        int thickness = Math.max(1, (int) Math.round(scale * 2));
        int pad = Math.max(2, (int) Math.round(scale * 8));
        try (PointerScope scope = new PointerScope()) {
            IntPointer baseline = new IntPointer(1);
            Size size = getTextSize(text, FONT_HERSHEY_SIMPLEX, scale, thickness, baseline);
            int tagW = size.width() + 2 * pad;
            int tagH = size.height() + baseline.get() + 2 * pad;
            int left = clamp((int) Math.round(x), 0, Math.max(0, width - 1));
            int top = (int) Math.round(y) - tagH;
            if (top < 0) {
                top = clamp((int) Math.round(y), 0, Math.max(0, height - tagH));
            }
            rectangle(bgr, new Point(left, top), new Point(left + tagW, top + tagH), scalar(background), FILLED,
                    LINE_8, 0);
            putText(bgr, text, new Point(left + pad, top + pad + size.height()), FONT_HERSHEY_SIMPLEX, scale,
                    scalar(background.contrasting()), thickness, LINE_AA, false);
        }
    }

    /**
     * Tints the pixels of a mask: {@code pixel = (1 - alpha) * pixel + alpha * color} where {@code mask[offset +
     * y * width + x] != 0}.
     *
     * @param mask one byte per pixel of this canvas, row-major, starting at {@code offset}
     * @param alpha opacity of the colour, in [0, 1]
     */
    public void blendMask(byte[] mask, int offset, Rgb color, double alpha) {
        checkOpen();
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(color, "color");
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        long plane = (long) width * height;
        if (offset < 0 || offset + plane > mask.length) {
            throw new IllegalArgumentException("mask needs " + plane + " bytes from offset " + offset + " for a "
                    + width + "x" + height + " canvas, the array has " + mask.length);
        }
        byte[] pixels = bgrBytes();
        int[] c = {color.b(), color.g(), color.r()};
        for (int i = 0; i < plane; i++) {
            if (mask[offset + i] != 0) {
                for (int k = 0; k < 3; k++) {
                    int p = i * 3 + k;
                    pixels[p] = (byte) Math.round((1 - alpha) * (pixels[p] & 0xFF) + alpha * c[k]);
                }
            }
        }
        bgr.data().put(pixels, 0, pixels.length);
    }

    /** {@link #blendMask(byte[], int, Rgb, double)} from offset 0. */
    public void blendMask(byte[] mask, Rgb color, double alpha) {
        blendMask(mask, 0, color, alpha);
    }

    /** The current pixels as an {@link RgbImage}. */
    public RgbImage toRgbImage() {
        byte[] pixels = bgrBytes();
        swapRedBlue(pixels);
        return RgbImage.of(width, height, pixels);
    }

    /** The current pixels as a new {@code TYPE_3BYTE_BGR} image. */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] data = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] pixels = bgrBytes();
        System.arraycopy(pixels, 0, data, 0, pixels.length);
        return out;
    }

    /**
     * The image encoded as {@code "jpg"} (quality 95) or {@code "png"}.
     *
     * @throws dev.groundingdino.InvalidValueException for another format
     * @throws ImageException if OpenCV cannot encode it
     */
    public byte[] encode(String format) {
        checkOpen();
        String ext = normalizeFormat(format);
        int[] params = ext.equals(".png") ? new int[] {IMWRITE_PNG_COMPRESSION, 3}
                : new int[] {IMWRITE_JPEG_QUALITY, JPEG_QUALITY};
        try (PointerScope scope = new PointerScope()) {
            BytePointer buffer = new BytePointer();
            if (!imencode(ext, bgr, buffer, new IntPointer(params))) {
                throw new ImageException("OpenCV could not encode the annotated " + width + "x" + height
                        + " image as " + ext);
            }
            byte[] out = new byte[(int) buffer.limit()];
            buffer.position(0).get(out);
            return out;
        }
    }

    /**
     * Writes the image; the format follows the file extension ({@code .jpg}, {@code .jpeg}, {@code .png}). Missing
     * parent folders are created; the file is written to a temporary sibling and moved into place.
     *
     * @throws dev.groundingdino.InvalidValueException if the extension is not one of those
     * @throws ImageException if the file cannot be written
     */
    public void write(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] encoded = encode(formatOf(file));
        try {
            AtomicFiles.writeOrThrow(file, encoded);
        } catch (IOException e) {
            throw new ImageException("Could not write the annotated image to " + file.toAbsolutePath() + ": " + e
                    + ". Check that the folder is writable.", e);
        }
    }

    /** The image format implied by a file name ({@code "jpg"} or {@code "png"}). */
    public static String formatOf(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "jpg";
        }
        if (name.endsWith(".png")) {
            return "png";
        }
        throw new dev.groundingdino.InvalidValueException("cannot tell the image format of '" + file + "': name the output file "
                + "*.jpg, *.jpeg or *.png");
    }

    /** Frees the native pixels. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bgr.close();
        }
    }

    private byte[] bgrBytes() {
        checkOpen();
        byte[] pixels = new byte[width * height * 3];
        bgr.data().position(0).get(pixels, 0, pixels.length);
        return pixels;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this Canvas is closed");
        }
    }

    private static String normalizeFormat(String format) {
        String f = Objects.requireNonNull(format, "format").toLowerCase(Locale.ROOT);
        return switch (f) {
            case "jpg", "jpeg", ".jpg", ".jpeg" -> ".jpg";
            case "png", ".png" -> ".png";
            default -> throw new dev.groundingdino.InvalidValueException("unsupported image format '" + format
                    + "'; use \"jpg\" or \"png\"");
        };
    }

    private static Point point(double x, double y) {
        return new Point((int) Math.round(clampCoordinate(x)), (int) Math.round(clampCoordinate(y)));
    }

    /** Keeps far-away coordinates within int range (OpenCV clips lines to the image itself). */
    private static double clampCoordinate(double v) {
        return Math.max(-1e6, Math.min(1e6, v));
    }

    private static Scalar scalar(Rgb c) {
        return new Scalar(c.b(), c.g(), c.r(), 0);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static void swapRedBlue(byte[] pixels) {
        for (int i = 0; i < pixels.length; i += 3) {
            byte t = pixels[i];
            pixels[i] = pixels[i + 2];
            pixels[i + 2] = t;
        }
    }
}
