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
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GroundingDINO's resize rule and its resize + ToTensor + Normalize, bit-exact against the golden cases. */
class GroundingDinoTransformTest {

    @ParameterizedTest(name = "{0}x{1} (HxW) -> {2}x{3}")
    @CsvSource({
        "901, 1200, 800, 1065", // cat_dog.jpeg
        "1200, 1800, 800, 1200", // truck.jpg
        "517, 333, 1242, 800", // portrait: width becomes 800, height truncated
        "534, 800, 800, 1198", // groceries.jpg
        "100, 2000, 67, 1340", // max_size clamp, long side ends above 1333
        "2000, 100, 1340, 67",
        "500, 500, 800, 800", // w == h
        "800, 1000, 800, 1000", // short side already 800: kept
        "1000, 800, 1000, 800",
        "101, 2666, 50, 1319", // round(50.5) = 50 (banker's), not 51
        "103, 2666, 52, 1345", // round(51.5) = 52
        "800, 2000, 533, 1332", // clamp to round(533.2) = 533, then int(1332.5) = 1332
        "1, 1, 800, 800",
    })
    void resizeShapeFollowsTheReference(int h, int w, int expectedH, int expectedW) {
        assertThat(GroundingDinoTransform.resizeShape(h, w)).isEqualTo(new ImageSize(expectedH, expectedW));
    }

    @Test
    void resizeShapeRejectsDegenerateInput() {
        assertThatThrownBy(() -> GroundingDinoTransform.resizeShape(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GroundingDinoTransform.resizeShape(1, 100_000))
                .isInstanceOf(ImageException.class).hasMessageContaining("too elongated");
    }

    @Test
    void normalizeIsFloat32DivisionThenNormalize() {
        byte[] rgb = {0, (byte) 128, (byte) 255, 1, 2, 3};
        PixelTensor t = GroundingDinoTransform.normalize(RgbImage.of(2, 1, rgb));
        assertThat(t.shape()).containsExactly(3, 1, 2);
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < 2; x++) {
                float u = (rgb[x * 3 + c] & 0xFF) / 255.0f;
                assertThat(t.get(c * 2 + x)).isEqualTo((u - mean[c]) / std[c]);
            }
        }
        assertThat(t.get(0)).isEqualTo(-2.117904f); // (0 - 0.485) / 0.229 in float32
    }

    @TestFactory
    List<DynamicTest> goldenCasesAreBitExact() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : Golden.gdinoCases()) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkCase(dir)));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(3);
        return tests;
    }

    private static void checkCase(Path dir) {
        JsonNode c = Golden.json(dir.resolve("case.json"));
        RgbImage image = ImageDecoder.read(Golden.file(c.get("image").asText()));
        assertThat(image.size()).isEqualTo(hw(c.get("image_hw")));
        ImageSize expectedResized = hw(c.get("resized_hw"));
        assertThat(GroundingDinoTransform.resizeShape(image.height(), image.width())).isEqualTo(expectedResized);

        RgbImage resized = GroundingDinoTransform.resize(image);
        assertThat(resized.size()).isEqualTo(expectedResized);
        JsonNode fps = c.get("fingerprints");
        double errU8 = Fingerprint.of(fps.get("resized_rgb_uint8")).check("resized_rgb_uint8",
                ImageGoldenSupport.hwcShape(resized), ImageGoldenSupport.values(resized), 0, 0);
        assertThat(errU8).isZero();

        PixelTensor tensor = GroundingDinoTransform.apply(image);
        assertThat(tensor).isEqualTo(GroundingDinoTransform.normalize(resized));
        double errF = Fingerprint.of(fps.get("image_tensor")).check("image_tensor", tensor.shape(),
                ImageGoldenSupport.values(tensor), 0, 0);
        assertThat(errF).isZero();

        if (c.get("tensors").has("image_tensor")) {
            Map<String, GoldenTensors.Entry> stored = GoldenTensors.read(dir.resolve("tensors.safetensors"));
            GoldenTensors.Entry u8 = stored.get("resized_rgb_uint8");
            assertThat(u8.shape()).containsExactly(ImageGoldenSupport.hwcShape(resized));
            byte[] expectedBytes = new byte[(int) u8.numel()];
            u8.data().duplicate().get(expectedBytes);
            assertThat(resized.rgb()).as("every resized byte").isEqualTo(expectedBytes);

            GoldenTensors.Entry t = stored.get("image_tensor");
            assertThat(t.shape()).containsExactly(tensor.shape());
            float[] expected = t.asFloats();
            float[] actual = tensor.toArray();
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                    throw new AssertionError("image_tensor[" + i + "] = " + actual[i] + ", golden " + expected[i]);
                }
            }
        }
    }

    private static ImageSize hw(JsonNode pair) {
        return new ImageSize(pair.get(0).asInt(), pair.get(1).asInt());
    }
}
