package dev.groundingdino.sam.internal.sam2.sam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.testing.TensorValues;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code _dynamic_multimask_via_stability} on hand-made logits: a stable single mask is kept, an unstable one is
 * replaced by the multimask output with the highest predicted IoU (computed here independently).
 */
@SuppressWarnings("try") // inference scopes free native temporaries without being referenced
class MaskDecoderStabilityTest {
    private static MaskDecoder decoder() {
        // declare mode: the selection reads no weights
        return new MaskDecoder(ParamTree.declare(), new TwoWayTransformer.Spec(2, 256, 8, 2048, 2), 3, 3, 256, true,
                0.05, 0.98);
    }

    @Test
    void stableSingleMaskIsKeptAndUnstableOneFallsBackToTheBestMultimask() {
        int h = 4;
        int w = 4;
        int plane = h * w;
        float[] logits = new float[2 * 4 * plane]; // (B=2, T=4, 4, 4)
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 4; t++) {
                for (int i = 0; i < plane; i++) {
                    float v;
                    if (t == 0) {
                        // b0: |v| = 1 everywhere, stability 1; b1: half the pixels at 0.01 (in (-delta, delta]),
                        // stability 8 / 16 = 0.5
                        v = b == 0 ? (i % 2 == 0 ? 1f : -1f) : (i % 2 == 0 ? 1f : 0.01f);
                    } else {
                        v = 10 * b + t + 0.001f * i; // identifiable values
                    }
                    logits[(b * 4 + t) * plane + i] = v;
                }
            }
        }
        float[] iou = {0.9f, 0.1f, 0.7f, 0.3f, 0.2f, 0.3f, 0.1f, 0.8f}; // b1: best multimask = token 3
        try (InferenceScope scope = InferenceScope.open()) {
            MaskDecoder d = decoder();
            Tensor masks = TensorValues.tensor(logits, 2, 4, h, w);
            Tensor ious = TensorValues.tensor(iou, 2, 4);
            Tensor stability = d.stabilityScores(masks.narrow(1, 0, 1));
            assertThat(TensorValues.floats(stability)).containsExactly(1f, 0.5f);

            MaskDecoder.Output out = d.dynamicMultimaskViaStability(new MaskDecoder.Output(masks, ious,
                    TensorValues.tensor(new float[] {0f, 0f}, 2, 1)));
            float[] outLogits = TensorValues.floats(out.masks());
            assertThat(TensorValues.shape(out.masks())).containsExactly(2, 1, h, w);
            for (int i = 0; i < plane; i++) {
                assertThat(outLogits[i]).isEqualTo(logits[i]); // b0 keeps token 0
                assertThat(outLogits[plane + i]).isEqualTo(logits[(4 + 3) * plane + i]); // b1 takes token 3
            }
            assertThat(TensorValues.floats(out.iouPredictions())).containsExactly(0.9f, 0.8f);
        }
    }

    @Test
    void emptyUnionCountsAsStable() {
        try (InferenceScope scope = InferenceScope.open()) {
            float[] all = new float[16];
            java.util.Arrays.fill(all, -5f); // nothing above -delta: area_u = 0 -> score 1
            Tensor s = decoder().stabilityScores(TensorValues.tensor(all, 1, 1, 4, 4));
            assertThat(TensorValues.floats(s)).containsExactly(1f);
        }
    }
}
