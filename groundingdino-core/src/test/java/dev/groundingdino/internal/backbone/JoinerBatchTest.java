package dev.groundingdino.internal.backbone;

import static dev.groundingdino.internal.backbone.BackboneTestSupport.maxAbsDiff;
import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.backbone.BackboneTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batches of differently sized images, padded bottom-right (NestedTensor semantics), against single-image runs.
 *
 * <p>What the reference guarantees, and what is asserted here:
 * <ul>
 *   <li>samples of a batch are independent: each sample's features equal a single run of its zero-padded canvas
 *       (so an image that needs no padding equals its own single run);</li>
 *   <li>a padded image's features do NOT equal its unpadded single run anywhere near the padding: the Swin sees the
 *       whole canvas (padding changes window partitions, shifted-window regions and the attended padded tokens);</li>
 *   <li>masks are the nearest-neighbour downsampling of the input mask, so for sizes that are multiples of the
 *       level stride the valid region is exactly the single run's level size, and there the position encoding
 *       equals the single run's (it depends on the mask only).</li>
 * </ul>
 */
class JoinerBatchTest {
    private static final double TOL = 1e-5;
    private static StateDict weights;
    private static Joiner joiner;

    @BeforeAll
    static void load() {
        Natives.ensureLoaded();
        weights = StateDict.read(Golden.gdinoSuite().resolve("gdino.pth"));
        joiner = new Joiner(BackboneTestSupport.tinySwin(), PositionEmbeddingSineHW.groundingDino(256, 20, 20),
                ParamTree.load(weights::get).child("backbone"));
    }

    @AfterAll
    static void close() {
        if (weights != null) {
            weights.close();
        }
    }

    @Test
    void batchOfTwoSizesFollowsNestedTensorSemantics() {
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor big = randomImage(96, 160, 1); // needs no padding: it sets the canvas
            Tensor small = randomImage(64, 96, 2); // padded to 96x160
            NestedTensor batch = NestedTensor.fromTensorList(List.of(big, small));
            assertThat(shape(batch.tensors())).containsExactly(2, 3, 96, 160);
            List<Joiner.Level> batched = joiner.forward(batch);

            List<Joiner.Level> bigAlone = joiner.forward(NestedTensor.unpadded(big.unsqueeze(0)));
            List<Joiner.Level> smallAlone = joiner.forward(NestedTensor.unpadded(small.unsqueeze(0)));
            Tensor smallCanvas = batch.tensors().narrow(0, 1, 1); // (1, 3, 96, 160), zero padded
            List<Joiner.Level> smallCanvasAlone = joiner.forward(NestedTensor.unpadded(smallCanvas));

            long[][] canvas = {{12, 20}, {6, 10}, {3, 5}};
            long[][] valid = {{8, 12}, {4, 6}, {2, 3}};
            int[] channels = {32, 64, 128};
            StringBuilder report = new StringBuilder("batch vs single:");
            for (int l = 0; l < 3; l++) {
                Joiner.Level b = batched.get(l);
                assertThat(shape(b.features())).containsExactly(2, channels[l], canvas[l][0], canvas[l][1]);
                assertThat(shape(b.mask())).containsExactly(2, canvas[l][0], canvas[l][1]);
                assertThat(shape(b.pos())).containsExactly(2, 256, canvas[l][0], canvas[l][1]);

                // sample 0 = its own single run: features, mask (all false), pos
                double d0 = maxAbsDiff(values(b.features().select(0, 0)), values(bigAlone.get(l).features().select(0, 0)));
                assertThat(d0).as("level %d: unpadded sample vs its single run", l).isLessThanOrEqualTo(TOL);
                assertThat(values(b.mask().select(0, 0))).containsOnly(0.0);
                assertThat(maxAbsDiff(values(b.pos().select(0, 0)), values(bigAlone.get(l).pos().select(0, 0))))
                        .isLessThanOrEqualTo(1e-6);

                // sample 1 = single run of its zero-padded canvas (features)
                double d1 = maxAbsDiff(values(b.features().select(0, 1)),
                        values(smallCanvasAlone.get(l).features().select(0, 0)));
                assertThat(d1).as("level %d: padded sample vs single run of its canvas", l).isLessThanOrEqualTo(TOL);

                // ... but not its unpadded single run, even restricted to the valid region
                Tensor validFeatures = b.features().select(0, 1).narrow(1, 0, valid[l][0]).narrow(2, 0, valid[l][1]);
                assertThat(shape(smallAlone.get(l).features())).containsExactly(1, channels[l], valid[l][0], valid[l][1]);
                double dValid = maxAbsDiff(values(validFeatures), values(smallAlone.get(l).features().select(0, 0)));
                assertThat(dValid).as("level %d: padding changes the valid region's features", l).isGreaterThan(1e-3);

                // mask: false exactly on the valid top-left region
                double[] m = values(b.mask().select(0, 1));
                for (int r = 0; r < canvas[l][0]; r++) {
                    for (int c = 0; c < canvas[l][1]; c++) {
                        boolean padding = r >= valid[l][0] || c >= valid[l][1];
                        assertThat(m[(int) (r * canvas[l][1] + c)]).as("mask level %d at (%d, %d)", l, r, c)
                                .isEqualTo(padding ? 1.0 : 0.0);
                    }
                }
                // pos on the valid region = single run's pos
                Tensor validPos = b.pos().select(0, 1).narrow(1, 0, valid[l][0]).narrow(2, 0, valid[l][1]);
                double dPos = maxAbsDiff(values(validPos), values(smallAlone.get(l).pos().select(0, 0)));
                assertThat(dPos).as("level %d: pos on the valid region", l).isLessThanOrEqualTo(1e-6);
                report.append(String.format(" level%d: unpadded %.3g, padded-vs-canvas %.3g, pos %.3g"
                        + " (padded-vs-unpadded valid region differs by %.3g);", l, d0, d1, dPos, dValid));
            }
            System.out.println(report);
        }
    }

    /** {@code F.interpolate(nearest)}: source index {@code min(floor(i * (float) in / out), in - 1)}. */
    @Test
    void maskDownsamplingIsTheReferenceNearestRule() {
        try (InferenceScope scope = InferenceScope.open()) {
            int inH = 75;
            int inW = 131;
            Random rnd = new Random(7);
            float[] m = new float[2 * inH * inW];
            for (int i = 0; i < m.length; i++) {
                m[i] = rnd.nextBoolean() ? 1 : 0;
            }
            Tensor mask = torch.tensor(m).view(2, inH, inW).to(ScalarType.Bool);
            int[][] sizes = {{10, 17}, {5, 9}, {3, 5}, {75, 131}, {150, 262}, {1, 1}};
            for (int[] size : sizes) {
                Tensor out = Joiner.interpolateMask(mask, size[0], size[1]);
                assertThat(out.scalar_type().intern()).isEqualTo(ScalarType.Bool);
                assertThat(shape(out)).containsExactly(2, size[0], size[1]);
                double[] v = values(out);
                for (int b = 0; b < 2; b++) {
                    for (int r = 0; r < size[0]; r++) {
                        int sr = nearest(r, inH, size[0]);
                        for (int c = 0; c < size[1]; c++) {
                            int sc = nearest(c, inW, size[1]);
                            assertThat(v[(b * size[0] + r) * size[1] + c]).as("%s at (%d, %d, %d)",
                                    java.util.Arrays.toString(size), b, r, c).isEqualTo(m[(b * inH + sr) * inW + sc]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void outputShapesFollowTheReferenceSizeRule() {
        try (InferenceScope scope = InferenceScope.open()) {
            // 37x53: patches ceil(/4) = 10x14 (stage 0), then (n + 1) / 2 per stage: 5x7, 3x4, 2x2
            List<Tensor> outs = joiner.backbone().forward(randomImage(37, 53, 3).unsqueeze(0).repeat(2, 1, 1, 1));
            assertThat(outs).hasSize(3);
            assertThat(shape(outs.get(0))).containsExactly(2, 32, 5, 7);
            assertThat(shape(outs.get(1))).containsExactly(2, 64, 3, 4);
            assertThat(shape(outs.get(2))).containsExactly(2, 128, 2, 2);
            // identical samples give identical outputs (no cross-sample mixing)
            assertThat(maxAbsDiff(values(outs.get(2).select(0, 0)), values(outs.get(2).select(0, 1))))
                    .isLessThanOrEqualTo(TOL);
            assertThat(joiner.numChannels()).containsExactly(32, 64, 128);

            assertThatThrownBy(() -> joiner.backbone().forward(torch.zeros(1, 4, 32, 32)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, 3, H, W]");
            assertThatThrownBy(() -> joiner.backbone().forward(torch.zeros(1, 3, 32, 32).to(ScalarType.Byte)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floating-point");
            assertThatThrownBy(() -> NestedTensor.fromTensorList(List.of(torch.zeros(3, 4, 4), torch.zeros(1, 4, 4))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same C");
        }
    }

    private static int nearest(int dst, int in, int out) {
        if (in == out) {
            return dst;
        }
        if (out == 2 * in) {
            return dst >> 1;
        }
        float scale = (float) in / out;
        return Math.min((int) Math.floor(dst * scale), in - 1);
    }

    private static Tensor randomImage(int h, int w, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return torch.tensor(v).view(3, h, w);
    }
}
