package dev.groundingdino.internal.swin;

import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.backbone.BackboneTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shifted-window region mask against a direct transcription of the reference's Python slicing. */
class BasicLayerMaskTest {

    @ParameterizedTest
    @CsvSource({"10, 17, 7", "7, 7, 7", "3, 42, 7", "25, 34, 12", "1, 1, 4"})
    void regionMaskMatchesTheReferenceSlices(int height, int width, int ws) {
        BasicLayer layer = new BasicLayer(8, 2, 1, ws, 32, true, false, ParamTree.declare());
        int hp = (int) Math.ceil(height / (double) ws) * ws;
        int wp = (int) Math.ceil(width / (double) ws) * ws;
        int shift = ws / 2;
        // img_mask[:, h, w, :] = cnt for h in h_slices for w in w_slices, Python slice semantics
        int[][] regions = new int[hp][wp];
        int[][] slices = {{0, -ws}, {-ws, -shift}, {-shift, Integer.MAX_VALUE}};
        int cnt = 0;
        for (int[] hs : slices) {
            for (int[] wsl : slices) {
                for (int r = pyIndex(hs[0], hp); r < pyIndex(hs[1], hp); r++) {
                    for (int c = pyIndex(wsl[0], wp); c < pyIndex(wsl[1], wp); c++) {
                        regions[r][c] = cnt;
                    }
                }
                cnt++;
            }
        }
        int n = ws * ws;
        int nwH = hp / ws;
        int nwW = wp / ws;
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor mask = layer.attentionMask(torch.zeros(1), height, width);
            assertThat(shape(mask)).containsExactly((long) nwH * nwW, n, n);
            double[] v = values(mask);
            for (int w = 0; w < nwH * nwW; w++) {
                int r0 = (w / nwW) * ws;
                int c0 = (w % nwW) * ws;
                for (int i = 0; i < n; i++) {
                    int ri = regions[r0 + i / ws][c0 + i % ws];
                    for (int j = 0; j < n; j++) {
                        int rj = regions[r0 + j / ws][c0 + j % ws];
                        double expected = ri == rj ? 0.0 : -100.0;
                        assertThat(v[(w * n + i) * n + j]).as("window %d, tokens %d/%d", w, i, j).isEqualTo(expected);
                    }
                }
            }
        }
    }

    /** Python's resolution of a slice bound against a length (MAX_VALUE = None = end). */
    private static int pyIndex(int bound, int length) {
        if (bound == Integer.MAX_VALUE) {
            return length;
        }
        int b = bound < 0 ? bound + length : bound;
        return Math.max(0, Math.min(length, b));
    }
}
