package dev.groundingdino.sam.internal;

import dev.groundingdino.sam.internal.config.SamConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.sam.internal.prompt.PromptEncoder;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.TensorValues;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The prompt-encoder paths the golden case does not exercise (points with labels and padding, mask inputs),
 * checked against their definition in {@code prompt_encoder.py} on the tiny weights.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try") // inference scopes free native temporaries without being referenced
class PromptEncoderTest {
    private Map<String, Tensor> weights;
    private PromptEncoder encoder;

    @BeforeAll
    void load() {
        weights = TestTensors.readFloatTensors(Golden.samSuite().resolve("sam.safetensors"));
        encoder = Sam.load(SamConfig.tiny(), weights::get).promptEncoder();
    }

    @AfterAll
    void release() {
        if (weights != null) {
            weights.values().forEach(Tensor::close);
        }
    }

    private double[] weight(String name) {
        return TensorValues.doubles(weights.get("prompt_encoder." + name));
    }

    @Test
    void pointsGetTheirLabelEmbeddingAndAPaddingPointWithoutBox() {
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor coords = TensorValues.tensor(new float[] {100f, 200f, 700.5f, 33f}, 1, 2, 2);
            Tensor labels = TensorValues.tensor(new float[] {1f, 0f}, 1, 2).to(ScalarType.Int);
            PromptEncoder.Embeddings e = encoder.forward(coords, labels, null, null);
            assertThat(TensorValues.shape(e.sparse())).containsExactly(1, 3, 256); // 2 points + padding point
            assertThat(TensorValues.shape(e.dense())).containsExactly(1, 256, 64, 64);

            // A point's embedding is the box-corner Fourier feature of the same pixel plus its label embedding.
            Tensor asBox = TensorValues.tensor(new float[] {100f, 200f, 700.5f, 33f}, 1, 4);
            double[] corners = TensorValues.doubles(encoder.embedBoxes(asBox)); // pe + point_embeddings.2 / .3
            double[] sparse = TensorValues.doubles(e.sparse());
            double[] pe2 = weight("point_embeddings.2.weight");
            double[] pe3 = weight("point_embeddings.3.weight");
            double[] fg = weight("point_embeddings.1.weight");
            double[] bg = weight("point_embeddings.0.weight");
            double[] pad = weight("not_a_point_embed.weight");
            for (int c = 0; c < 256; c++) {
                assertThat(sparse[c]).isCloseTo(corners[c] - pe2[c] + fg[c], org.assertj.core.data.Offset.offset(1e-5));
                assertThat(sparse[256 + c]).isCloseTo(corners[256 + c] - pe3[c] + bg[c],
                        org.assertj.core.data.Offset.offset(1e-5));
                assertThat(sparse[512 + c]).isEqualTo(pad[c]); // 0 + not_a_point_embed, exactly
            }

            // With a box there is no padding point: 2 points then the 2 corners.
            PromptEncoder.Embeddings withBox = encoder.forward(coords, labels, asBox, null);
            assertThat(TensorValues.shape(withBox.sparse())).containsExactly(1, 4, 256);
        }
    }

    @Test
    void denseEmbeddingIsNoMaskEmbedOrTheDownscaledMask() {
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor boxes = TensorValues.tensor(new float[] {1, 2, 30, 40, 5, 6, 70, 80}, 2, 4);
            Tensor dense = encoder.forward(null, null, boxes, null).dense();
            assertThat(TensorValues.shape(dense)).containsExactly(2, 256, 64, 64);
            double[] d = TensorValues.doubles(dense);
            double[] noMask = weight("no_mask_embed.weight");
            for (int c = 0; c < 256; c++) {
                assertThat(d[c * 4096 + 17]).isEqualTo(noMask[c]);
                assertThat(d[256 * 4096 + c * 4096 + 4095]).isEqualTo(noMask[c]);
            }
            Tensor masks = torch.zeros(new long[] {2, 1, 256, 256}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Float));
            Tensor fromMask = encoder.forward(null, null, boxes, masks).dense();
            assertThat(TensorValues.shape(fromMask)).containsExactly(2, 256, 64, 64);
            // A zero mask is constant after the convolutions: every position equals the first one.
            double[] m = TensorValues.doubles(fromMask);
            for (int c = 0; c < 256; c++) {
                assertThat(m[c * 4096 + 1234]).isCloseTo(m[c * 4096], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }
}
