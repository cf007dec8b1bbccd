package dev.groundingdino.internal.bert;

import static dev.groundingdino.internal.bert.TextTensors.floats;
import static dev.groundingdino.testing.TensorValues.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.internal.runtime.InferenceScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** {@link SinePosEmbed} against the formula of utils.py::get_sine_pos_embed evaluated in double precision. */
class SinePosEmbedTest {

    /** Expected embedding of one coordinate value: F features, interleaved sin/cos. */
    private static double[] expected(double x, int f, double temperature) {
        double[] out = new double[f];
        for (int i = 0; i < f; i++) {
            double dimT = Math.pow(temperature, 2.0 * Math.floor(i / 2.0) / f);
            double y = x * 2 * Math.PI / dimT;
            out[i] = i % 2 == 0 ? Math.sin(y) : Math.cos(y);
        }
        return out;
    }

    @Test
    void textPositionEmbeddingIsTheUnnormalisedInterleavedSine() {
        long[] positions = {0, 0, 1, 2, 0, 1, 0, 7, 40, 255};
        try (InferenceScope s = InferenceScope.open()) {
            Tensor ids = tensor(positions).reshape(2, 5);
            Tensor pe = SinePosEmbed.textPositionEmbedding(ids);
            assertThat(shape(pe)).containsExactly(2, 5, 256);
            float[] got = floats(pe);
            double maxErr = 0;
            for (int t = 0; t < positions.length; t++) {
                double[] e = expected(positions[t], 256, 10000);
                for (int i = 0; i < 256; i++) {
                    // float32 argument rounding: |x * 2pi / dim_t| * 2^-23 at most
                    double tol = 1e-6 + Math.abs(positions[t] * 2 * Math.PI) * 3e-7;
                    double err = Math.abs(got[t * 256 + i] - e[i]);
                    maxErr = Math.max(maxErr, err);
                    assertThat(err).as("position %d feature %d", positions[t], i).isLessThan(tol);
                }
            }
            // position 0 -> [0, 1, 0, 1, ...]: sin at even features, cos at odd ones (the interleaving)
            assertThat(got[0]).isEqualTo(0f);
            assertThat(got[1]).isEqualTo(1f);
            assertThat(got[254]).isEqualTo(0f);
            assertThat(got[255]).isEqualTo(1f);
            System.out.printf("text position embedding: max |err| vs double formula %.3g%n", maxErr);
        }
    }

    @Test
    void generalFormConcatenatesCoordinatesAndCanExchangeXy() {
        float[] xy = {0.25f, 0.75f, 3f, -1.5f};
        try (InferenceScope s = InferenceScope.open()) {
            Tensor pos = tensor(xy).reshape(1, 2, 2);
            float[] plain = floats(SinePosEmbed.getSinePosEmbed(pos, 8, 20, false));
            float[] swapped = floats(SinePosEmbed.getSinePosEmbed(pos, 8, 20, true));
            assertThat(plain).hasSize(2 * 16);
            for (int t = 0; t < 2; t++) {
                double[] ex = expected(xy[2 * t], 8, 20);
                double[] ey = expected(xy[2 * t + 1], 8, 20);
                for (int i = 0; i < 8; i++) {
                    assertThat((double) plain[t * 16 + i]).isCloseTo(ex[i], org.assertj.core.data.Offset.offset(1e-6));
                    assertThat((double) plain[t * 16 + 8 + i]).isCloseTo(ey[i], org.assertj.core.data.Offset.offset(1e-6));
                    assertThat(swapped[t * 16 + i]).isEqualTo(plain[t * 16 + 8 + i]);
                    assertThat(swapped[t * 16 + 8 + i]).isEqualTo(plain[t * 16 + i]);
                }
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        try (InferenceScope s = InferenceScope.open()) {
            Tensor flat = tensor(new long[] {1, 2, 3});
            assertThatThrownBy(() -> SinePosEmbed.textPositionEmbedding(flat))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(batch, tokens)");
            Tensor pos = tensor(new float[] {1, 2}).reshape(1, 2, 1);
            assertThatThrownBy(() -> SinePosEmbed.getSinePosEmbed(pos, 7, 10000, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("even");
            assertThatThrownBy(() -> SinePosEmbed.getSinePosEmbed(pos, 8, 10000, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exchangeXy");
        }
    }
}
