package dev.groundingdino.internal.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.internal.runtime.Natives;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes images to {@link RgbImage}, matching the reference's {@code PIL.Image.open(path).convert("RGB")}.
 *
 * <p>Files and encoded bytes go through OpenCV's {@code imdecode} with {@code IMREAD_COLOR |
 * IMREAD_IGNORE_ORIENTATION}: like PIL, the EXIF orientation tag is NOT applied, an alpha channel is dropped without
 * compositing, grey and palette images are expanded to RGB. On the golden JPEG and PNG images the decoded bytes are
 * identical to Pillow 9.4's (libjpeg-turbo, ISLOW IDCT, fancy upsampling). Known differences from PIL: 16-bit
 * images are reduced to 8 bits by OpenCV's rules, CMYK JPEGs go through OpenCV's CMYK conversion, animated formats
 * give their first frame, and a JPEG must end with its end-of-image marker (PIL too rejects a cut-off JPEG, but
 * would accept the rare file that lacks only that final marker).
 *
 * <p>{@link BufferedImage}s of any type are converted in Java: colour samples are taken as they are (no colour
 * management for sRGB and grey images, unlike {@code BufferedImage.getRGB} for grey), alpha is dropped without
 * compositing, palettes are expanded, samples wider than 8 bits are scaled to 8 bits.
 *
 * <p>Every failure is an {@link ImageException} whose message says what to do; native memory is released before
 * each call returns.
 */
public final class ImageDecoder {
    private static final String FORMATS = "JPEG, PNG, BMP, TIFF, WebP, PPM/PGM, ...";

    private ImageDecoder() {}

    /** Decodes any {@link ImageInput}: a file ({@link #read}), encoded bytes ({@link #decode}) or a BufferedImage. */
    public static RgbImage decode(ImageInput input) {
        if (input.path() != null) {
            return read(input.path());
        }
        if (input.encodedBytes() != null) {
            return decode(input.encodedBytes());
        }
        return fromBufferedImage(input.bufferedImage());
    }

    /**
     * Reads and decodes an image file.
     *
     * @throws ImageException if the file is missing, a directory, unreadable, empty, too large, not an image, or
     *     corrupt or truncated
     */
    public static RgbImage read(Path path) {
        Objects.requireNonNull(path, "path");
        Path abs = path.toAbsolutePath();
        if (!Files.exists(path)) {
            throw new ImageException("Image file not found: " + abs + ". Check the path (relative paths are resolved "
                    + "against the working directory " + Path.of("").toAbsolutePath() + ").");
        }
        if (Files.isDirectory(path)) {
            throw new ImageException(abs + " is a directory, not an image file. Pass the path of an image file ("
                    + FORMATS + ").");
        }
        byte[] bytes;
        try {
            long size = Files.size(path);
            if (size > RgbImage.MAX_BYTES) {
                throw new ImageException("Image file " + abs + " is " + size + " bytes; files larger than "
                        + RgbImage.MAX_BYTES + " bytes are not supported. Re-encode or downscale it first.");
            }
            bytes = Files.readAllBytes(path);
        } catch (AccessDeniedException e) {
            throw new ImageException("Image file " + abs + " is not readable (permission denied). Check its "
                    + "permissions or copy it somewhere readable.", e);
        } catch (NoSuchFileException e) {
            throw new ImageException("Image file not found: " + abs + " (it disappeared while being read).", e);
        } catch (IOException e) {
            throw new ImageException("Could not read image file " + abs + ": " + e + ". Check that it is a regular, "
                    + "readable file.", e);
        }
        return decode(bytes, "Image file " + abs);
    }

    /**
     * Decodes an encoded image (the bytes of an image file).
     *
     * @throws ImageException if the data is empty, not an image, or corrupt or truncated
     */
    public static RgbImage decode(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        return decode(encoded, "The image data");
    }

    private static RgbImage decode(byte[] data, String what) {
        if (data.length == 0) {
            throw new ImageException(what + " is empty (0 bytes). Pass the complete contents of an image file ("
                    + FORMATS + ").");
        }
        if (isJpeg(data) && jpegIsTruncated(data)) {
            throw new ImageException(what + " is a truncated JPEG (" + data.length + " bytes, no end-of-image "
                    + "marker): it was cut off while being written or downloaded. Fetch or export it again.");
        }
        if (isPng(data)) {
            String problem = pngProblem(data);
            if (problem != null) {
                throw new ImageException(what + " is a damaged PNG (" + data.length + " bytes): " + problem
                        + ". It was cut off or corrupted while being written or downloaded; fetch or export it again.");
            }
        }
        Natives.ensureOpenCvLoaded();
        try (PointerScope scope = new PointerScope()) {
            BytePointer buffer = new BytePointer(data);
            Mat encoded = new Mat(1, data.length, CV_8UC1, buffer);
            Mat bgr;
            try {
                bgr = imdecode(encoded, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
            } catch (RuntimeException e) {
                throw new ImageException(what + " could not be decoded: " + e.getMessage()
                        + ". Check that it is a complete image file of a supported format (" + FORMATS + ").", e);
            }
            if (bgr == null || bgr.isNull() || bgr.empty()) {
                throw new ImageException(what + " is not a decodable image (" + data.length + " bytes starting with "
                        + hexPrefix(data) + "): it is not in a supported format (" + FORMATS + ") or it is corrupt "
                        + "or truncated. Open it in an image viewer to check it, or re-export it as PNG or JPEG.");
            }
            int w = bgr.cols();
            int h = bgr.rows();
            if (w <= 0 || h <= 0) {
                throw new ImageException(what + " has no pixels (" + w + "x" + h + "). Pass a non-empty image.");
            }
            if (bgr.type() != CV_8UC3) {
                throw new ImageException(what + " decoded to an unexpected OpenCV pixel type " + bgr.type()
                        + " instead of 8-bit BGR. Re-export it as an 8-bit PNG or JPEG.");
            }
            if ((long) w * h * 3 > RgbImage.MAX_BYTES) {
                throw new ImageException(what + " is " + w + "x" + h + " pixels, too large to process (at most "
                        + (RgbImage.MAX_BYTES / 3) + " pixels). Downscale it first.");
            }
            return RgbImage.wrap(w, h, bgrToRgb(bgr, w, h));
        }
    }

    /** Copies a CV_8UC3 BGR Mat into a new interleaved RGB array. */
    private static byte[] bgrToRgb(Mat bgr, int w, int h) {
        int rowBytes = w * 3;
        byte[] out = new byte[rowBytes * h];
        BytePointer data = bgr.data();
        if (bgr.isContinuous()) {
            data.position(0).get(out, 0, out.length);
        } else {
            long step = bgr.step();
            for (int y = 0; y < h; y++) {
                data.position(y * step).get(out, y * rowBytes, rowBytes);
            }
        }
        for (int i = 0; i < out.length; i += 3) {
            byte b = out[i];
            out[i] = out[i + 2];
            out[i + 2] = b;
        }
        return out;
    }

    /**
     * Converts a {@link BufferedImage} of any type to RGB: alpha dropped (no compositing), palettes expanded, grey
     * replicated from the raw samples, samples wider than 8 bits scaled to 8 bits.
     *
     * @throws ImageException if the image is empty or too large
     */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.getWidth();
        int h = image.getHeight();
        if (w <= 0 || h <= 0) {
            throw new ImageException("The BufferedImage has no pixels (" + w + "x" + h + "). Pass a non-empty image.");
        }
        if ((long) w * h * 3 > RgbImage.MAX_BYTES) {
            throw new ImageException("The BufferedImage is " + w + "x" + h + " pixels, too large to process (at most "
                    + (RgbImage.MAX_BYTES / 3) + " pixels). Downscale it first.");
        }
        byte[] out = new byte[w * h * 3];
        if (!copyInterleavedBytes(image, out) && !copyPackedInts(image, out) && !copyGrey(image, out)) {
            copyViaGetRgb(image, out);
        }
        return RgbImage.wrap(w, h, out);
    }

    /** 8-bit sRGB component images with one byte array (TYPE_3BYTE_BGR, TYPE_4BYTE_ABGR, ImageIO's RGB(A) types). */
    private static boolean copyInterleavedBytes(BufferedImage image, byte[] out) {
        ColorModel cm = image.getColorModel();
        WritableRaster raster = image.getRaster();
        if (!(cm instanceof ComponentColorModel) || !cm.getColorSpace().isCS_sRGB() || cm.isAlphaPremultiplied()
                || !(raster.getDataBuffer() instanceof DataBufferByte db) || db.getNumBanks() != 1
                || !(raster.getSampleModel() instanceof ComponentSampleModel sm) || raster.getNumBands() < 3) {
            return false;
        }
        for (int b = 0; b < 3; b++) {
            if (sm.getSampleSize(b) != 8 || sm.getBankIndices()[b] != 0) {
                return false;
            }
        }
        byte[] data = db.getData();
        int[] offsets = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        int tx = raster.getSampleModelTranslateX();
        int ty = raster.getSampleModelTranslateY();
        int w = image.getWidth();
        int h = image.getHeight();
        int r = offsets[0];
        int g = offsets[1];
        int bl = offsets[2];
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = db.getOffset() + (y - ty) * scanline + (-tx) * pixelStride;
            for (int x = 0; x < w; x++, p += pixelStride) {
                out[o++] = data[p + r];
                out[o++] = data[p + g];
                out[o++] = data[p + bl];
            }
        }
        return true;
    }

    /** 8-bit-per-channel sRGB packed-int images (TYPE_INT_RGB, TYPE_INT_ARGB, TYPE_INT_BGR). */
    private static boolean copyPackedInts(BufferedImage image, byte[] out) {
        ColorModel cm = image.getColorModel();
        WritableRaster raster = image.getRaster();
        if (!(cm instanceof DirectColorModel dcm) || !cm.getColorSpace().isCS_sRGB() || cm.isAlphaPremultiplied()
                || !(raster.getDataBuffer() instanceof DataBufferInt db) || db.getNumBanks() != 1
                || !(raster.getSampleModel() instanceof SinglePixelPackedSampleModel sm)) {
            return false;
        }
        int[] masks = {dcm.getRedMask(), dcm.getGreenMask(), dcm.getBlueMask()};
        int[] shifts = new int[3];
        for (int c = 0; c < 3; c++) {
            shifts[c] = Integer.numberOfTrailingZeros(masks[c]);
            if (masks[c] == 0 || (masks[c] >>> shifts[c]) != 0xFF) {
                return false;
            }
        }
        int[] data = db.getData();
        int scanline = sm.getScanlineStride();
        int tx = raster.getSampleModelTranslateX();
        int ty = raster.getSampleModelTranslateY();
        int w = image.getWidth();
        int h = image.getHeight();
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = db.getOffset() + (y - ty) * scanline - tx;
            for (int x = 0; x < w; x++, p++) {
                int v = data[p];
                out[o++] = (byte) (v >>> shifts[0]);
                out[o++] = (byte) (v >>> shifts[1]);
                out[o++] = (byte) (v >>> shifts[2]);
            }
        }
        return true;
    }

    /**
     * Grey images (TYPE_BYTE_GRAY, TYPE_USHORT_GRAY, grey+alpha): the raw grey sample replicated, like PIL's
     * {@code L -> RGB}. {@code getRGB} would apply a gamma conversion instead.
     */
    private static boolean copyGrey(BufferedImage image, byte[] out) {
        ColorModel cm = image.getColorModel();
        WritableRaster raster = image.getRaster();
        int type = raster.getTransferType();
        if (cm instanceof IndexColorModel || cm.getColorSpace().getType() != ColorSpace.TYPE_GRAY
                || cm.isAlphaPremultiplied()
                || (type != DataBuffer.TYPE_BYTE && type != DataBuffer.TYPE_USHORT && type != DataBuffer.TYPE_INT)) {
            return false;
        }
        int bits = cm.getComponentSize(0);
        if (bits <= 0 || bits > 16) {
            return false;
        }
        int max = (1 << bits) - 1;
        int w = image.getWidth();
        int h = image.getHeight();
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int v = row[x];
                byte g = (byte) (bits == 8 ? v : (v * 255 + max / 2) / max);
                out[o++] = g;
                out[o++] = g;
                out[o++] = g;
            }
        }
        return true;
    }

    /** Everything else (palettes, premultiplied alpha, 16-bit RGB, other colour spaces): Java's sRGB conversion. */
    private static void copyViaGetRgb(BufferedImage image, byte[] out) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int v = row[x];
                out[o++] = (byte) (v >>> 16);
                out[o++] = (byte) (v >>> 8);
                out[o++] = (byte) v;
            }
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static boolean isPng(byte[] data) {
        if (data.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (data[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * What is wrong with a PNG's chunk structure (a chunk running past the end, a bad CRC, no IEND), or null. Checked
     * before libpng sees the data: libpng reports such files only on the standard error, as warnings.
     */
    static String pngProblem(byte[] data) {
        int pos = PNG_SIGNATURE.length;
        boolean pixels = false;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        while (true) {
            if (pos + 8 > data.length) {
                return "it ends at byte " + data.length + " before its IEND chunk";
            }
            long length = ((data[pos] & 0xFFL) << 24) | ((data[pos + 1] & 0xFF) << 16) | ((data[pos + 2] & 0xFF) << 8)
                    | (data[pos + 3] & 0xFF);
            String type = new String(data, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (pos + 12 + length > data.length) {
                return "its " + type + " chunk at byte " + pos + " needs " + (12 + length) + " bytes but the file ends "
                        + "after " + (data.length - pos);
            }
            crc.reset();
            crc.update(data, pos + 4, (int) (4 + length));
            int at = (int) (pos + 8 + length);
            long stored = ((data[at] & 0xFFL) << 24) | ((data[at + 1] & 0xFF) << 16) | ((data[at + 2] & 0xFF) << 8)
                    | (data[at + 3] & 0xFF);
            if (stored != crc.getValue()) {
                return "its " + type + " chunk at byte " + pos + " fails its CRC check";
            }
            if (type.equals("IEND")) {
                return pixels ? null : "it has no image data (no IDAT chunk before IEND)";
            }
            pixels |= type.equals("IDAT");
            pos = at + 4;
        }
    }

    private static boolean isJpeg(byte[] d) {
        return d.length >= 3 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xFF) == 0xD8 && (d[2] & 0xFF) == 0xFF;
    }

    /**
     * Walks the JPEG marker structure (segments by their lengths, entropy-coded data up to the next marker that is
     * not a restart or a stuffed zero) and reports whether the data ends before the end-of-image marker. Malformed
     * structure is left to the decoder to judge (returns false).
     */
    static boolean jpegIsTruncated(byte[] d) {
        int n = d.length;
        int p = 2;
        while (true) {
            while (p < n && (d[p] & 0xFF) != 0xFF) {
                p++; // extraneous bytes; libjpeg skips them with a warning
            }
            while (p < n && (d[p] & 0xFF) == 0xFF) {
                p++; // fill bytes
            }
            if (p >= n) {
                return true;
            }
            int marker = d[p++] & 0xFF;
            if (marker == 0xD9) {
                return false; // EOI
            }
            if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // no length field
            }
            if (p + 2 > n) {
                return true;
            }
            int length = ((d[p] & 0xFF) << 8) | (d[p + 1] & 0xFF);
            if (length < 2) {
                return false;
            }
            p += length;
            if (p > n) {
                return true;
            }
            if (marker == 0xDA) { // SOS: entropy-coded data follows
                while (true) {
                    while (p < n && (d[p] & 0xFF) != 0xFF) {
                        p++;
                    }
                    int q = p + 1;
                    while (q < n && (d[q] & 0xFF) == 0xFF) {
                        q++;
                    }
                    if (q >= n) {
                        return true;
                    }
                    int next = d[q] & 0xFF;
                    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                        p = q + 1; // stuffed 0xFF or restart marker: still inside the scan
                    } else {
                        p = q - 1; // the 0xFF before a real marker
                        break;
                    }
                }
            }
        }
    }

    private static String hexPrefix(byte[] d) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, d.length); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", d[i] & 0xFF));
        }
        return sb.toString();
    }
}
