package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.layers.PositionEmbeddingSine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.testing.TensorValues;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** {@link PositionEmbeddingSine} against the reference formula evaluated independently in double precision. */
@SuppressWarnings("try") // inference scopes free native temporaries without being referenced
class PositionEmbeddingSineTest {
    @Test
    void matchesTheFormula() {
        int h = 6;
        int w = 5;
        int feats = 16; // 8 per axis
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor pe = new PositionEmbeddingSine(feats).forward(h, w, new Device("cpu"));
            assertThat(TensorValues.shape(pe)).containsExactly(1, feats, h, w);
            float[] v = TensorValues.floats(pe);
            int half = feats / 2;
            double maxErr = 0;
            for (int c = 0; c < feats; c++) {
                boolean yAxis = c < half;
                int k = yAxis ? c : c - half;
                double dimT = Math.pow(10000, 2 * Math.floor(k / 2.0) / half);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double e = yAxis ? (y + 1) / (h + 1e-6) * 2 * Math.PI : (x + 1) / (w + 1e-6) * 2 * Math.PI;
                        double expected = k % 2 == 0 ? Math.sin(e / dimT) : Math.cos(e / dimT);
                        maxErr = Math.max(maxErr, Math.abs(v[(c * h + y) * w + x] - expected));
                    }
                }
            }
            assertThat(maxErr).isLessThan(2e-6);
        }
    }
}
