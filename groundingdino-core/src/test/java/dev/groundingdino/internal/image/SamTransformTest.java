package dev.groundingdino.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.ImageException;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SAM's ResizeLongestSide(1024) + Sam.preprocess + box transforms, bit-exact against the golden case. */
class SamTransformTest {

    @ParameterizedTest(name = "{0}x{1} (HxW) -> {2}x{3}")
    @CsvSource({
        "1200, 1800, 683, 1024", // truck.jpg: 1200 * 1024/1800 = 682.67
        "517, 333, 1024, 660",
        "100, 2000, 51, 1024", // 51.2 -> 51
        "2000, 100, 1024, 51",
        "1024, 1024, 1024, 1024",
        "10, 20, 512, 1024", // upscaling
        "600, 1200, 512, 1024", // exactly x.0
        "3, 2048, 2, 1024", // 1.5 + 0.5 = 2: round half up
    })
    void preprocessShapeFollowsTheReference(int h, int w, int expectedH, int expectedW) {
        assertThat(SamTransform.preprocessShape(h, w)).isEqualTo(new ImageSize(expectedH, expectedW));
    }

    @Test
    void preprocessShapeRejectsDegenerateInput() {
        assertThatThrownBy(() -> SamTransform.preprocessShape(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SamTransform.preprocessShape(1, 5000))
                .isInstanceOf(ImageException.class).hasMessageContaining("too elongated");
    }

    @Test
    void preprocessNormalisesAndPadsWithZeros() {
        byte[] rgb = {0, (byte) 128, (byte) 255, 10, 20, 30};
        PixelTensor t = SamTransform.preprocess(RgbImage.of(1, 2, rgb)); // 1 wide, 2 high
        assertThat(t.shape()).containsExactly(1, 3, 1024, 1024);
        float[] mean = {123.675f, 116.28f, 103.53f};
        float[] std = {58.395f, 57.12f, 57.375f};
        int plane = 1024 * 1024;
        for (int c = 0; c < 3; c++) {
            assertThat(t.get(c * plane)).isEqualTo(((rgb[c] & 0xFF) - mean[c]) / std[c]);
            assertThat(t.get(c * plane + 1024)).isEqualTo(((rgb[3 + c] & 0xFF) - mean[c]) / std[c]);
            assertThat(t.get(c * plane + 1)).isZero(); // right of the image
            assertThat(t.get(c * plane + 2 * 1024)).isZero(); // below it
            assertThat(t.get(c * plane + plane - 1)).isZero();
        }
        assertThatThrownBy(() -> SamTransform.preprocess(RgbImage.of(1025, 1, new byte[1025 * 3])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void boxesScaleXByWidthRatioAndYByHeightRatio() {
        ImageSize original = new ImageSize(1200, 1800); // -> 683x1024
        double[] out = SamTransform.applyBoxes(new double[] {425, 600, 700, 875}, original);
        assertThat(out).containsExactly(425 * (1024.0 / 1800), 600 * (683.0 / 1200), 700 * (1024.0 / 1800),
                875 * (683.0 / 1200));
        assertThatThrownBy(() -> SamTransform.applyBoxes(new double[3], original))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SamTransform.applyCoords(new double[] {1800, 1200}, original))
                .containsExactly(1800 * (1024.0 / 1800), 1200 * (683.0 / 1200));
    }

    @TestFactory
    List<DynamicTest> goldenCasesAreBitExact() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : Golden.samCases()) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkCase(dir)));
        }
        assertThat(tests).isNotEmpty();
        return tests;
    }

    private static void checkCase(Path dir) {
        JsonNode c = Golden.json(dir.resolve("case.json"));
        RgbImage image = ImageDecoder.read(Golden.file(c.get("image").asText()));
        ImageSize original = hw(c.get("original_size_hw"));
        assertThat(image.size()).isEqualTo(original);
        ImageSize input = hw(c.get("input_size_hw"));
        assertThat(SamTransform.preprocessShape(image.height(), image.width())).isEqualTo(input);

        RgbImage resized = SamTransform.applyImage(image);
        assertThat(resized.size()).isEqualTo(input);
        JsonNode fps = c.get("fingerprints");
        double errU8 = Fingerprint.of(fps.get("resized_rgb_uint8")).check("resized_rgb_uint8",
                ImageGoldenSupport.hwcShape(resized), ImageGoldenSupport.values(resized), 0, 0);
        assertThat(errU8).isZero();

        PixelTensor pre = SamTransform.apply(image);
        assertThat(pre).isEqualTo(SamTransform.preprocess(resized));
        double errF = Fingerprint.of(fps.get("preprocessed_input")).check("preprocessed_input", pre.shape(),
                ImageGoldenSupport.values(pre), 0, 0);
        assertThat(errF).isZero();

        int checkedBoxes = 0;
        for (JsonNode p : c.get("predictions")) {
            if (p.has("box_xyxy")) {
                double[] box = doubles(p.get("box_xyxy"));
                double[] expected = doubles(p.get("box_transformed").get(0));
                assertThat(SamTransform.applyBoxes(box, original)).as(p.get("name").asText()).containsExactly(expected);
                checkedBoxes++;
            }
            if (p.has("boxes_xyxy")) {
                // predict_torch path: apply_boxes_torch in float32
                float[] boxes = floats(p.get("boxes_xyxy"));
                float[] expected = floats(p.get("boxes_transformed"));
                assertThat(SamTransform.applyBoxesTorch(boxes, original)).as(p.get("name").asText())
                        .containsExactly(expected);
                float[] stored = GoldenTensors.read(dir.resolve("tensors.safetensors"))
                        .get(p.get("name").asText() + "_boxes_transformed").asFloats();
                assertThat(SamTransform.applyBoxesTorch(boxes, original)).containsExactly(stored);
                checkedBoxes++;
            }
        }
        assertThat(checkedBoxes).isGreaterThan(0);
    }

    private static ImageSize hw(JsonNode pair) {
        return new ImageSize(pair.get(0).asInt(), pair.get(1).asInt());
    }

    private static double[] doubles(JsonNode arr) {
        List<Double> out = new ArrayList<>();
        flatten(arr, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static float[] floats(JsonNode arr) {
        double[] d = doubles(arr);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    private static void flatten(JsonNode n, List<Double> out) {
        if (n.isArray()) {
            for (JsonNode e : n) {
                flatten(e, out);
            }
        } else {
            out.add(n.asDouble());
        }
    }
}
