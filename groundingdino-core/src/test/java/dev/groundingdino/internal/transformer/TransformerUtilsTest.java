package dev.groundingdino.internal.transformer;

import static dev.groundingdino.internal.deformable.TensorArrays.floats;
import static dev.groundingdino.internal.deformable.TensorArrays.gaussian;
import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.deformable.TensorArrays.tensorOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.runtime.InferenceScope;
import java.util.Random;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The small reference helpers, checked against hand-computed values (padding cases the golden data lacks). */
class TransformerUtilsTest {

    @Test
    void validRatiosAndEncoderReferencePointsFollowThePaddedSize() {
        try (InferenceScope scope = InferenceScope.open()) {
            // one image, a 4x5 level of which 3 rows x 4 columns are real
            float[] m = new float[20];
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    m[y * 5 + x] = (y >= 3 || x >= 4) ? 1f : 0f;
                }
            }
            Tensor mask = tensorOf(m, 1, 4, 5).gt(new Scalar(0.5));
            float[] ratio = floats(TransformerUtils.validRatio(mask));
            assertThat(ratio).containsExactly(0.8f, 0.75f); // (w, h)

            Tensor ratios = TransformerUtils.validRatio(mask).unsqueeze(1); // (1, 1, 2): one level
            Tensor ref = TransformerUtils.encoderReferencePoints(new SpatialShapes(new int[] {4}, new int[] {5}),
                    ratios);
            assertThat(shape(ref)).containsExactly(1, 20, 1, 2);
            float[] r = floats(ref);
            // token (y=1, x=2): x = 2.5 / (0.8 * 5) * 0.8 = 0.5, y = 1.5 / (0.75 * 4) * 0.75 = 0.375
            int t = 1 * 5 + 2;
            assertThat(r[t * 2]).isCloseTo(0.5f, within(1e-6f));
            assertThat(r[t * 2 + 1]).isCloseTo(0.375f, within(1e-6f));
        }
    }

    @Test
    void proposalsAreUnsigmoidedWithInfinityWhereInvalidOrPadded() {
        try (InferenceScope scope = InferenceScope.open()) {
            // level 0: 50 x 3 (row 0 centre 0.5/50 == 0.01 exactly in float32: invalid), level 1: 2 x 2
            SpatialShapes shapes = new SpatialShapes(new int[] {50, 2}, new int[] {3, 2});
            int s = (int) shapes.total();
            Tensor memory = tensorOf(gaussian(new Random(1), s * 4, 1.0), 1, s, 4);
            float[] pad = new float[s];
            pad[s - 1] = 1f; // the last token of level 1 is padding
            Tensor mask = tensorOf(pad, 1, s).gt(new Scalar(0.5));
            TransformerUtils.Proposals p = TransformerUtils.genEncoderOutputProposals(memory, mask, shapes);
            float[] props = floats(p.outputProposals());
            float[] mem = floats(p.outputMemory());
            // level 0, row 0: cy = 0.01 -> invalid; row 1, col 1: (0.5, 0.03, 0.05, 0.05) valid
            for (int k = 0; k < 4; k++) {
                assertThat(props[k]).isEqualTo(Float.POSITIVE_INFINITY);
                assertThat(mem[k]).isEqualTo(0f);
            }
            int t = 1 * 3 + 1;
            assertThat(props[t * 4]).isCloseTo(0f, within(1e-6f)); // logit(0.5)
            assertThat(props[t * 4 + 1]).isCloseTo((float) Math.log(0.03 / 0.97), within(1e-5f));
            assertThat(props[t * 4 + 2]).isCloseTo((float) Math.log(0.05 / 0.95), within(1e-5f));
            assertThat(mem[t * 4]).isNotEqualTo(0f);
            // level 1: one padded token leaves the first row and column real, so the scale stays 2x2; size 0.1
            int first1 = 150;
            assertThat(props[first1 * 4 + 2]).isCloseTo((float) Math.log(0.1 / 0.9), within(1e-5f));
            // the padded token
            for (int k = 0; k < 4; k++) {
                assertThat(props[(s - 1) * 4 + k]).isEqualTo(Float.POSITIVE_INFINITY);
                assertThat(mem[(s - 1) * 4 + k]).isEqualTo(0f);
            }
        }
    }

    @Test
    void sineEmbeddingOfBoxesIsOrderedYxwh() {
        try (InferenceScope scope = InferenceScope.open()) {
            float[] box = {0.1f, 0.2f, 0.3f, 0.4f};
            float[] e = floats(TransformerUtils.genSineembedForPosition(tensorOf(box, 1, 1, 4)));
            assertThat(e).hasSize(512);
            double twoPi = 2 * Math.PI;
            float[] order = {0.2f, 0.1f, 0.3f, 0.4f}; // y, x, w, h
            for (int c = 0; c < 4; c++) {
                double v = order[c] * twoPi;
                assertThat(e[c * 128]).isCloseTo((float) Math.sin(v), within(1e-5f));
                assertThat(e[c * 128 + 1]).isCloseTo((float) Math.cos(v), within(1e-5f));
                double d2 = Math.pow(10000, 2.0 / 128);
                assertThat(e[c * 128 + 2]).isCloseTo((float) Math.sin(v / d2), within(1e-5f));
                assertThat(e[c * 128 + 3]).isCloseTo((float) Math.cos(v / d2), within(1e-5f));
            }
            float[] point = floats(TransformerUtils.genSineembedForPosition(tensorOf(new float[] {0.1f, 0.2f}, 1, 1, 2)));
            assertThat(point[0]).isCloseTo((float) Math.sin(0.2 * twoPi), within(1e-5f));
        }
    }

    @Test
    void inverseSigmoidClampsWithEps() {
        try (InferenceScope scope = InferenceScope.open()) {
            float[] v = floats(TransformerUtils.inverseSigmoid(tensorOf(new float[] {0f, 0.5f, 1f, 1.5f, 0.25f}, 5)));
            assertThat(v[0]).isCloseTo((float) Math.log(1e-3), within(1e-5f));
            assertThat(v[1]).isEqualTo(0f);
            assertThat(v[2]).isCloseTo((float) Math.log(1e3), within(1e-4f));
            assertThat(v[3]).isEqualTo(v[2]);
            assertThat(v[4]).isCloseTo((float) Math.log(0.25 / 0.75), within(1e-6f));
        }
    }

    @Test
    void contrastiveEmbedMasksAndPadsTo256() {
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor x = tensorOf(new float[] {1, 2, 3, 4}, 1, 2, 2);
            Tensor text = tensorOf(new float[] {1, 0, 0, 1, 1, 1}, 1, 3, 2);
            Tensor tokenMask = tensorOf(new float[] {1, 1, 0}, 1, 3).gt(new Scalar(0.5));
            float[] out = floats(new ContrastiveEmbed().forward(x, text, tokenMask));
            assertThat(out).hasSize(2 * 256);
            assertThat(out[0]).isEqualTo(1f);
            assertThat(out[1]).isEqualTo(2f);
            assertThat(out[2]).isEqualTo(Float.NEGATIVE_INFINITY); // padding token
            assertThat(out[255]).isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(out[256]).isEqualTo(3f);
            assertThat(out[257]).isEqualTo(4f);
        }
    }
}
