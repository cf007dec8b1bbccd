package dev.groundingdino.sam;

import dev.groundingdino.InvalidValueException;
import dev.groundingdino.Box;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.testing.Golden;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** COCO RLE (pycocotools {@code encode} / {@code rleToString}) and polygon export of {@link MaskBitmap}. */
class CocoRleTest {

    /** A mask from rows of '0'/'1' characters. */
    static MaskBitmap mask(String... rows) {
        int h = rows.length;
        int w = rows[0].length();
        byte[] px = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (byte) (rows[y].charAt(x) == '1' ? 1 : 0);
            }
        }
        return MaskBitmap.of(w, h, px);
    }

    @Test
    void smallMaskIsEncodedColumnMajorStartingWithZeros() {
        // Column-major: column 0 = 0,0; column 1 = 1,1; column 2 = 1,0 -> 0 0 1 1 1 0 -> runs 2, 3, 1.
        CocoRle rle = mask("011", "010").toRle();
        assertThat(rle.counts()).containsExactly(2, 3, 1);
        assertThat(rle.size()).containsExactly(2, 3);
        assertThat(rle.area()).isEqualTo(3);
        assertThat(rle.toCompressedString()).isEqualTo("231");
        // First pixel set: the zero run has length 0.
        assertThat(mask("10", "00").toRle().counts()).containsExactly(0, 1, 3);
        assertThat(mask("00", "00").toRle().counts()).containsExactly(4);
        assertThat(mask("11", "11").toRle().counts()).containsExactly(0, 4);
    }

    /**
     * Hand-computed rleToString of counts [0, 40, 5, 100, 3] (a 4 x 37 mask): 0 -> '0'; 40 = 8 + 1*32 -> groups 8
     * (more: 8|0x20 = 40 -> 'X') and 1 -> '1'; 5 -> '5' (the third count is not delta-coded); 100 - 40 = 60 = 28 +
     * 1*32 -> 28 has bit 0x10 and the rest (1) is not -1, so more: 60 -> 'l', then 1 -> '1'; 3 - 5 = -2 -> group
     * 30, rest -1 and bit 0x10 set: last group, 30 -> 'N'. pycocotools 2.0.11's mask.encode gives the same bytes.
     */
    @Test
    void compressedStringMatchesAHandComputedExample() {
        int[] counts = {0, 40, 5, 100, 3};
        CocoRle rle = CocoRle.fromCounts(4, 37, counts);
        assertThat(rle.toCompressedString()).isEqualTo("0X15l1N");
        assertThat(rle.area()).isEqualTo(140);
        assertThat(CocoRle.fromCompressedString(4, 37, "0X15l1N").counts()).containsExactly(counts);
        MaskBitmap bitmap = rle.toBitmap();
        assertThat(bitmap.area()).isEqualTo(140);
    }

    @Test
    void bitmapFollowsColumnMajorRuns() {
        MaskBitmap bitmap = CocoRle.fromCounts(4, 37, new int[] {0, 40, 5, 100, 3}).toBitmap();
        // Pixels 0..39 (columns 0..9) set, 40..44 clear, 45..144 set, 145..147 clear.
        assertThat(bitmap.get(0, 0)).isTrue();
        assertThat(bitmap.get(9, 3)).isTrue();
        assertThat(bitmap.get(10, 0)).isFalse(); // index 40
        assertThat(bitmap.get(11, 0)).isFalse(); // index 44
        assertThat(bitmap.get(11, 1)).isTrue(); // index 45
        assertThat(bitmap.get(36, 0)).isTrue(); // index 144
        assertThat(bitmap.get(36, 1)).isFalse(); // index 145
        assertThat(bitmap.toRle()).isEqualTo(CocoRle.fromCounts(4, 37, new int[] {0, 40, 5, 100, 3}));
    }

    @Test
    void randomMasksRoundTripThroughCountsAndStrings() {
        Random rnd = new Random(42);
        for (int k = 0; k < 50; k++) {
            int w = 1 + rnd.nextInt(70);
            int h = 1 + rnd.nextInt(70);
            byte[] px = new byte[w * h];
            double p = rnd.nextDouble();
            boolean on = false;
            for (int i = 0; i < px.length; i++) {
                if (rnd.nextDouble() < p * 0.3) {
                    on = !on;
                }
                px[i] = (byte) (on ? 1 : 0);
            }
            MaskBitmap m = MaskBitmap.of(w, h, px);
            CocoRle rle = m.toRle();
            assertThat(rle.area()).isEqualTo(m.area());
            assertThat(rle.toBitmap()).isEqualTo(m);
            CocoRle back = CocoRle.fromCompressedString(h, w, rle.toCompressedString());
            assertThat(back).isEqualTo(rle);
            assertThat(CocoRle.fromCounts(h, w, rle.counts())).isEqualTo(rle);
        }
    }

    @Test
    void largeCountsUseSeveralCharacters() {
        // 1800 x 1200 = 2,160,000 pixels, all clear: one count of 2160000 = 5 groups of 5 bits.
        CocoRle empty = MaskBitmap.of(1800, 1200, new byte[1800 * 1200]).toRle();
        assertThat(empty.counts()).containsExactly(2_160_000);
        String s = empty.toCompressedString();
        assertThat(s).hasSize(5);
        assertThat(CocoRle.fromCompressedString(1200, 1800, s).counts()).containsExactly(2_160_000);
    }

    /**
     * A real mask (the golden truck box 0 mask, 1800 x 1200, 884,445 pixels) against pycocotools 2.0.11:
     * {@code mask.encode(np.asfortranarray(png > 0))["counts"]} is 171,982 bytes with this SHA-256.
     */
    @Test
    void goldenMaskMatchesPycocotools() throws Exception {
        MaskBitmap m = readPng(Golden.samSuite().resolve("cases/truck/masks/box0_single_0.png"));
        CocoRle rle = m.toRle();
        assertThat(rle.area()).isEqualTo(884_445);
        String s = rle.toCompressedString();
        assertThat(s).hasSize(171_982).startsWith("06f03L3_OM5<20O3J16A8m02UOEI061H1890DJ26MM033JO52KL64LI6a0KG");
        assertThat(sha256(s)).isEqualTo("b9af185949bb094fd178b933468d14cf3d0a3e24b20b9e6e3f36967dfcda4e3c");
        assertThat(CocoRle.fromCompressedString(1200, 1800, s).toBitmap()).isEqualTo(m);
        assertThat(new Mask(m, 0.5f, new Box(0, 0, 1, 1), rle.area()).toRle()).isEqualTo(rle);
    }

    @Test
    void invalidRlesAreRejected() {
        assertThatThrownBy(() -> CocoRle.fromCounts(2, 2, new int[] {1, 2})).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("add up to 3");
        assertThatThrownBy(() -> CocoRle.fromCounts(2, 2, new int[] {5, -1})).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> CocoRle.fromCounts(0, 2, new int[] {})).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> CocoRle.fromCompressedString(2, 2, "4~")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("invalid character");
        assertThatThrownBy(() -> CocoRle.fromCompressedString(2, 2, "X")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void polygonsAreTheOuterContoursWithSimpleChains() {
        // A filled 4 x 3 rectangle: CHAIN_APPROX_SIMPLE keeps its 4 corner pixels (OpenCV's order).
        List<int[]> rect = mask(
                "00000000",
                "00111100",
                "00111100",
                "00111100",
                "00000000").toPolygons();
        assertThat(rect).hasSize(1);
        assertThat(rect.get(0)).containsExactly(2, 1, 2, 3, 5, 3, 5, 1);
        // Three regions: a ring (its hole is ignored), a 2 x 2 square and an isolated pixel (dropped: < 3 vertices).
        List<int[]> parts = mask(
                "000000000",
                "011100011",
                "010100011",
                "011100000",
                "000000010",
                "000000000").toPolygons();
        assertThat(parts.stream().map(p -> java.util.Arrays.toString(p)).collect(Collectors.toList()))
                .containsExactly("[7, 1, 7, 2, 8, 2, 8, 1]", "[1, 1, 1, 3, 3, 3, 3, 1]");
        assertThat(mask("000", "000").toPolygons()).isEmpty();
        assertThat(mask("111", "111").toPolygons()).hasSize(1); // a region touching every border
    }

    /**
     * The golden truck mask against Python OpenCV's {@code findContours(png > 0, RETR_EXTERNAL,
     * CHAIN_APPROX_SIMPLE)} (opencv-python-headless 5.0): 1,693 contours, 1,667 with at least 3 vertices (104,931
     * vertices); the SHA-256 is of the kept contours written as "x,y,x,y;x,y,..." in OpenCV's order.
     */
    @Test
    void goldenMaskPolygonsMatchOpenCvPython() throws Exception {
        MaskBitmap m = readPng(Golden.samSuite().resolve("cases/truck/masks/box0_single_0.png"));
        List<int[]> polygons = m.toPolygons();
        assertThat(polygons).hasSize(1667);
        assertThat(polygons.stream().mapToInt(p -> p.length / 2).sum()).isEqualTo(104_931);
        String joined = polygons.stream().map(p -> java.util.Arrays.stream(p).mapToObj(Integer::toString)
                .collect(Collectors.joining(","))).collect(Collectors.joining(";"));
        assertThat(joined).startsWith("1759,1195,1758,1196,1758,1199,1764,1199,1764,1197,1763,1196,1762,1196,1761,1195;");
        assertThat(sha256(joined)).isEqualTo("9b76e02265e16fbcfacb6eabb6abb34bd66316a0a46e5be90b510349c1d155ef");
    }

    static MaskBitmap readPng(Path file) throws IOException {
        Raster png = ImageIO.read(file.toFile()).getRaster();
        int w = png.getWidth();
        int h = png.getHeight();
        byte[] px = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (byte) (png.getSample(x, y, 0) != 0 ? 1 : 0);
            }
        }
        return MaskBitmap.of(w, h, px);
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }
}
