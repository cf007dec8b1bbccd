package dev.groundingdino.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import dev.groundingdino.ImageException;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding of bytes, files and BufferedImages, PIL's conventions (no EXIF rotation, alpha dropped), and every error. */
class ImageDecoderTest {
    private static final int W = 7;
    private static final int H = 5;

    @TempDir
    Path tmp;

    /** Random RGB pixels (0xRRGGBB), W*H of them, row-major. */
    private static int[] randomRgb(long seed) {
        Random r = new Random(seed);
        int[] argb = new int[W * H];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = r.nextInt() & 0xFFFFFF;
        }
        return argb;
    }

    private static byte[] expectedBytes(int[] rgb) {
        byte[] out = new byte[rgb.length * 3];
        for (int i = 0; i < rgb.length; i++) {
            out[i * 3] = (byte) (rgb[i] >>> 16);
            out[i * 3 + 1] = (byte) (rgb[i] >>> 8);
            out[i * 3 + 2] = (byte) rgb[i];
        }
        return out;
    }

    private static BufferedImage filled(int type, int[] argb) {
        BufferedImage img = new BufferedImage(W, H, type);
        img.setRGB(0, 0, W, H, argb, 0, W);
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).as("ImageIO writer for " + format).isTrue();
        return out.toByteArray();
    }

    @Test
    void bufferedImagesOfRgbTypesKeepTheirSamples() {
        int[] rgb = randomRgb(1);
        byte[] expected = expectedBytes(rgb);
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_4BYTE_ABGR}) {
            RgbImage img = ImageDecoder.fromBufferedImage(filled(type, rgb));
            assertThat(img.width()).isEqualTo(W);
            assertThat(img.height()).isEqualTo(H);
            assertThat(img.rgb()).as("type " + type).isEqualTo(expected);
        }
    }

    @Test
    void alphaIsDroppedWithoutCompositing() {
        int[] rgb = randomRgb(2);
        int[] argb = rgb.clone();
        for (int i = 0; i < argb.length; i++) {
            argb[i] |= (i % 3 == 0 ? 0x00 : i % 3 == 1 ? 0x80 : 0xFF) << 24; // transparent, half, opaque
        }
        byte[] expected = expectedBytes(rgb);
        assertThat(ImageDecoder.fromBufferedImage(filled(BufferedImage.TYPE_INT_ARGB, argb)).rgb()).isEqualTo(expected);
        assertThat(ImageDecoder.fromBufferedImage(filled(BufferedImage.TYPE_4BYTE_ABGR, argb)).rgb())
                .isEqualTo(expected);
    }

    @Test
    void premultipliedAlphaIsUnpremultiplied() {
        int[] argb = new int[W * H];
        Arrays.fill(argb, 0xFF102030);
        argb[0] = 0x80FF8000; // half transparent orange
        RgbImage img = ImageDecoder.fromBufferedImage(filled(BufferedImage.TYPE_INT_ARGB_PRE, argb));
        assertThat(img.sample(1, 0, 0)).isEqualTo(0x10);
        assertThat(img.sample(1, 0, 2)).isEqualTo(0x30);
        assertThat(img.sample(0, 0, 0)).isEqualTo(0xFF); // not composited onto black
        assertThat(img.sample(0, 0, 1)).isBetween(0x7F, 0x81);
    }

    @Test
    void greyIsReplicatedFromRawSamplesWithoutGammaConversion() {
        BufferedImage grey = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage grey16 = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                grey.getRaster().setSample(x, y, 0, (x * 37 + y * 11) & 0xFF);
                grey16.getRaster().setSample(x, y, 0, ((x * 37 + y * 11) & 0xFF) * 257);
            }
        }
        RgbImage img = ImageDecoder.fromBufferedImage(grey);
        RgbImage img16 = ImageDecoder.fromBufferedImage(grey16);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int v = (x * 37 + y * 11) & 0xFF;
                for (int c = 0; c < 3; c++) {
                    assertThat(img.sample(x, y, c)).isEqualTo(v);
                    assertThat(img16.sample(x, y, c)).isEqualTo(v);
                }
            }
        }
        // 128 would become ~186 through BufferedImage.getRGB's linear-grey -> sRGB conversion
        BufferedImage mid = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        mid.getRaster().setSample(0, 0, 0, 128);
        assertThat(ImageDecoder.fromBufferedImage(mid).sample(0, 0, 1)).isEqualTo(128);
    }

    @Test
    void palettesAreExpanded() {
        byte[] r = {0, (byte) 255, 10, 20};
        byte[] g = {0, 0, (byte) 200, 30};
        byte[] b = {0, 0, 30, (byte) 240};
        IndexColorModel palette = new IndexColorModel(2, 4, r, g, b);
        BufferedImage indexed = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, palette);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                indexed.getRaster().setSample(x, y, 0, (x + y) % 4);
            }
        }
        RgbImage img = ImageDecoder.fromBufferedImage(indexed);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int i = (x + y) % 4;
                assertThat(new int[] {img.sample(x, y, 0), img.sample(x, y, 1), img.sample(x, y, 2)})
                        .containsExactly(r[i] & 0xFF, g[i] & 0xFF, b[i] & 0xFF);
            }
        }
        BufferedImage byteIndexed = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED);
        int[] rgb = randomRgb(3);
        byteIndexed.setRGB(0, 0, W, H, rgb, 0, W);
        int[] quantised = byteIndexed.getRGB(0, 0, W, H, null, 0, W); // the palette colours actually stored
        assertThat(ImageDecoder.fromBufferedImage(byteIndexed).rgb()).isEqualTo(expectedBytes(quantised));
    }

    @Test
    void subimagesUseTheirOwnWindow() {
        BufferedImage big = new BufferedImage(W + 5, H + 4, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage bigInt = new BufferedImage(W + 5, H + 4, BufferedImage.TYPE_INT_RGB);
        int[] all = new int[(W + 5) * (H + 4)];
        Random rnd = new Random(4);
        for (int i = 0; i < all.length; i++) {
            all[i] = rnd.nextInt() & 0xFFFFFF;
        }
        big.setRGB(0, 0, W + 5, H + 4, all, 0, W + 5);
        bigInt.setRGB(0, 0, W + 5, H + 4, all, 0, W + 5);
        int[] window = big.getRGB(3, 2, W, H, null, 0, W);
        byte[] expected = expectedBytes(window);
        assertThat(ImageDecoder.fromBufferedImage(big.getSubimage(3, 2, W, H)).rgb()).isEqualTo(expected);
        assertThat(ImageDecoder.fromBufferedImage(bigInt.getSubimage(3, 2, W, H)).rgb()).isEqualTo(expected);
    }

    @Test
    void losslessFormatsRoundTripThroughOpenCv() throws IOException {
        int[] rgb = randomRgb(5);
        byte[] expected = expectedBytes(rgb);
        for (String format : new String[] {"png", "bmp"}) {
            RgbImage decoded = ImageDecoder.decode(encode(filled(BufferedImage.TYPE_3BYTE_BGR, rgb), format));
            assertThat(decoded.rgb()).as(format).isEqualTo(expected);
        }
        // RGBA PNG: alpha dropped, RGB of transparent pixels kept (PIL convert("RGB") does not composite)
        int[] argb = rgb.clone();
        for (int i = 0; i < argb.length; i += 2) {
            argb[i] |= 0x01000000; // nearly transparent
        }
        RgbImage fromPng = ImageDecoder.decode(encode(filled(BufferedImage.TYPE_INT_ARGB, argb), "png"));
        assertThat(fromPng.rgb()).isEqualTo(expected);
        // grey PNG: replicated
        BufferedImage grey = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 1, 0, 77);
        RgbImage fromGrey = ImageDecoder.decode(encode(grey, "png"));
        assertThat(new int[] {fromGrey.sample(2, 1, 0), fromGrey.sample(2, 1, 1), fromGrey.sample(2, 1, 2)})
                .containsExactly(77, 77, 77);
        assertThat(fromGrey).isEqualTo(ImageDecoder.fromBufferedImage(grey));
    }

    @Test
    void readingAFileEqualsDecodingItsBytes() throws IOException {
        byte[] png = encode(filled(BufferedImage.TYPE_INT_RGB, randomRgb(6)), "png");
        Path file = tmp.resolve("image with spaces ü.png");
        Files.write(file, png);
        assertThat(ImageDecoder.read(file)).isEqualTo(ImageDecoder.decode(png));
    }

    @Test
    void exifOrientationIsIgnoredLikePil() throws IOException {
        BufferedImage src = new BufferedImage(32, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                src.setRGB(x, y, (x * 8) << 16 | (y * 16) << 8 | 0x40);
            }
        }
        byte[] plain = encode(src, "jpg");
        byte[] rotated = withExifOrientation(plain, 6); // "rotate 90 CW to display"
        RgbImage a = ImageDecoder.decode(plain);
        RgbImage b = ImageDecoder.decode(rotated);
        assertThat(b.width()).isEqualTo(32);
        assertThat(b.height()).isEqualTo(16);
        assertThat(b).isEqualTo(a);
        // The tag is effective: OpenCV without IMREAD_IGNORE_ORIENTATION does rotate this file.
        Natives.ensureOpenCvLoaded();
        try (PointerScope scope = new PointerScope()) {
            Mat m = imdecode(new Mat(1, rotated.length, CV_8UC1, new BytePointer(rotated)), IMREAD_COLOR);
            assertThat(m.cols()).isEqualTo(16);
            assertThat(m.rows()).isEqualTo(32);
        }
    }

    /** Inserts an APP1 Exif segment holding only the orientation tag right after SOI. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer app1 = ByteBuffer.allocate(36);
        app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) 34);
        app1.put("Exif".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0);
        app1.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8); // TIFF header, IFD0 at 8
        app1.putShort((short) 1); // one entry
        app1.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        app1.putInt(0); // no next IFD
        byte[] out = new byte[jpeg.length + 36];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app1.array(), 0, out, 2, 36);
        System.arraycopy(jpeg, 2, out, 38, jpeg.length - 2);
        return out;
    }

    // ---- errors ----

    @Test
    void missingFile() {
        assertThatThrownBy(() -> ImageDecoder.read(tmp.resolve("nope.jpg")))
                .isInstanceOf(ImageException.class).hasMessageContaining("not found").hasMessageContaining("nope.jpg");
    }

    @Test
    void directory() {
        assertThatThrownBy(() -> ImageDecoder.read(tmp))
                .isInstanceOf(ImageException.class).hasMessageContaining("is a directory");
    }

    @Test
    void permissionDenied() throws IOException {
        Path file = tmp.resolve("secret.png");
        Files.write(file, encode(filled(BufferedImage.TYPE_INT_RGB, randomRgb(7)), "png"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(file), "running as root: permissions are not enforced");
        assertThatThrownBy(() -> ImageDecoder.read(file))
                .isInstanceOf(ImageException.class).hasMessageContaining("not readable");
    }

    @Test
    void unreadableFile() {
        Path mem = Path.of("/proc/self/mem"); // exists, but reading from offset 0 fails with EIO
        Assumptions.assumeTrue(Files.exists(mem), "Linux /proc needed");
        assertThatThrownBy(() -> ImageDecoder.read(mem))
                .isInstanceOf(ImageException.class).hasMessageContaining("/proc/self/mem");
    }

    @Test
    void emptyFileAndEmptyBytes() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.jpg"));
        assertThatThrownBy(() -> ImageDecoder.read(empty))
                .isInstanceOf(ImageException.class).hasMessageContaining("empty (0 bytes)");
        assertThatThrownBy(() -> ImageDecoder.decode(new byte[0]))
                .isInstanceOf(ImageException.class).hasMessageContaining("empty (0 bytes)");
    }

    @Test
    void notAnImage() throws IOException {
        byte[] text = "this is not an image, it is a text file\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ImageDecoder.decode(text))
                .isInstanceOf(ImageException.class).hasMessageContaining("not a decodable image")
                .hasMessageContaining("74 68 69 73"); // "this"
        Path file = tmp.resolve("notes.png");
        Files.write(file, text);
        assertThatThrownBy(() -> ImageDecoder.read(file))
                .isInstanceOf(ImageException.class).hasMessageContaining("notes.png");
    }

    @Test
    void corruptData() {
        byte[] jpegGarbage = new byte[4096];
        new Random(8).nextBytes(jpegGarbage);
        jpegGarbage[0] = (byte) 0xFF;
        jpegGarbage[1] = (byte) 0xD8;
        jpegGarbage[2] = (byte) 0xFF;
        jpegGarbage[3] = (byte) 0xDB; // DQT with a random length
        jpegGarbage[jpegGarbage.length - 2] = (byte) 0xFF;
        jpegGarbage[jpegGarbage.length - 1] = (byte) 0xD9;
        assertThatThrownBy(() -> ImageDecoder.decode(jpegGarbage)).isInstanceOf(ImageException.class);

        byte[] pngGarbage = new byte[512];
        new Random(9).nextBytes(pngGarbage);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 0, pngGarbage, 0, 8);
        assertThatThrownBy(() -> ImageDecoder.decode(pngGarbage))
                .isInstanceOf(ImageException.class).hasMessageContaining("corrupt");
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] jpeg = Files.readAllBytes(Golden.file("images/cat_dog.jpeg"));
        assertThat(ImageDecoder.jpegIsTruncated(jpeg)).isFalse();
        for (int keep : new int[] {jpeg.length / 2, jpeg.length - 2, 40}) {
            byte[] cut = Arrays.copyOf(jpeg, keep);
            assertThat(ImageDecoder.jpegIsTruncated(cut)).isTrue();
            assertThatThrownBy(() -> ImageDecoder.decode(cut))
                    .isInstanceOf(ImageException.class).hasMessageContaining("truncated");
        }
        // trailing bytes after the end-of-image marker are fine (PIL ignores them too)
        byte[] trailing = Arrays.copyOf(jpeg, jpeg.length + 10);
        assertThat(ImageDecoder.decode(trailing)).isEqualTo(ImageDecoder.decode(jpeg));

        byte[] png = Files.readAllBytes(Golden.file("images/synth_pano_2000x100.png"));
        assertThat(ImageDecoder.pngProblem(png)).isNull();
        // a cut PNG is named as such before libpng sees it (libpng would only print warnings on the standard error)
        byte[] cutPng = Arrays.copyOf(png, png.length / 2);
        assertThat(ImageDecoder.pngProblem(cutPng)).contains("IDAT").contains("file ends");
        assertThatThrownBy(() -> ImageDecoder.decode(cutPng)).isInstanceOf(ImageException.class)
                .hasMessageContaining("damaged PNG").hasMessageContaining("fetch or export it again");
        byte[] flipped = png.clone();
        flipped[png.length / 2] ^= 0x5A; // a bit error inside the image data
        assertThat(ImageDecoder.pngProblem(flipped)).contains("fails its CRC check");
        byte[] noEnd = Arrays.copyOf(png, png.length - 12); // without its IEND chunk
        assertThat(ImageDecoder.pngProblem(noEnd)).contains("before its IEND chunk");
    }

    @Test
    void progressiveAndRestartMarkersAreNotMistakenForTruncation() {
        // SOI, SOS(len 2), entropy bytes with a stuffed FF00 and RST0, EOI
        byte[] d = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA, 0, 2, 1, (byte) 0xFF, 0, 2,
            (byte) 0xFF, (byte) 0xD0, 3, (byte) 0xFF, (byte) 0xC4, 0, 2, (byte) 0xFF, (byte) 0xDA, 0, 2, 4,
            (byte) 0xFF, (byte) 0xD9};
        assertThat(ImageDecoder.jpegIsTruncated(d)).isFalse();
        assertThat(ImageDecoder.jpegIsTruncated(Arrays.copyOf(d, d.length - 1))).isTrue();
        assertThat(ImageDecoder.jpegIsTruncated(Arrays.copyOf(d, 12))).isTrue(); // inside the first scan
    }

    @Test
    void zeroSizeImage() {
        byte[] png = pngWithSize(0, 5);
        assertThatThrownBy(() -> ImageDecoder.decode(png)).isInstanceOf(ImageException.class);
        assertThatThrownBy(() -> ImageDecoder.decode(pngWithSize(5, 0))).isInstanceOf(ImageException.class);
    }

    /** A PNG signature, an IHDR (8-bit RGB) of the given size with a valid CRC, and IEND; no pixel data. */
    private static byte[] pngWithSize(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        b.putInt(13);
        int crcStart = b.position();
        b.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
        b.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), crcStart, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt(0xAE426082);
        return b.array();
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThatThrownBy(() -> ImageDecoder.read(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ImageDecoder.decode((byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ImageDecoder.fromBufferedImage(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void manyDecodesDoNotAccumulateNativeMemory() throws IOException {
        byte[] png = encode(filled(BufferedImage.TYPE_INT_RGB, randomRgb(10)), "png");
        ImageDecoder.decode(png);
        long before = org.bytedeco.javacpp.Pointer.totalBytes();
        for (int i = 0; i < 200; i++) {
            ImageDecoder.decode(png);
            assertThatThrownBy(() -> ImageDecoder.decode(new byte[] {1, 2, 3})).isInstanceOf(ImageException.class);
        }
        assertThat(org.bytedeco.javacpp.Pointer.totalBytes()).isLessThanOrEqualTo(before);
    }
}
