package dev.groundingdino.internal.deformable;

import static dev.groundingdino.internal.deformable.TensorArrays.floats;
import static dev.groundingdino.internal.deformable.TensorArrays.gaussian;
import static dev.groundingdino.internal.deformable.TensorArrays.maxAbsDiff;
import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.deformable.TensorArrays.tensorOf;
import static dev.groundingdino.internal.deformable.TensorArrays.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link MSDeformAttn} against an independent, deliberately naive double-precision Java implementation of the
 * reference semantics (per-level bilinear sampling with zero padding, {@code align_corners=False}).
 */
class MSDeformAttnTest {
    /** Odd, non-monotonic level sizes: the widest level is not the first, one level is 1x1. */
    private static final int[] HS = {3, 6, 1, 4};
    private static final int[] WS = {5, 2, 1, 7};

    @Test
    void coreMatchesNaiveSamplingIncludingOutOfRangePoints() {
        Random r = new Random(11);
        SpatialShapes shapes = new SpatialShapes(HS, WS);
        int b = 2, m = 2, d = 3, q = 13, p = 3, levels = HS.length;
        int s = (int) shapes.total();
        float[] value = gaussian(r, b * s * m * d, 1.0);
        float[] loc = uniform(r, b * q * m * levels * p * 2, -0.45, 1.45); // many points outside [0, 1]
        // exact edges and far-away points
        loc[0] = 0f;
        loc[1] = 1f;
        loc[2] = -1.0f / WS[0] * 0.5f;
        loc[3] = 1f + 0.5f / HS[0];
        loc[4] = 7f;
        loc[5] = -3f;
        float[] aw = uniform(r, b * q * m * levels * p, 0.0, 1.0);
        double[] expected = naiveCore(value, shapes, loc, aw, b, q, m, d, p);
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor out = MSDeformAttn.multiScaleDeformableAttn(tensorOf(value, b, s, m, d), shapes,
                    tensorOf(loc, b, q, m, levels, p, 2), tensorOf(aw, b, q, m, levels, p));
            assertThat(shape(out)).containsExactly(b, q, m * d);
            double err = maxAbsDiff(floats(out), expected);
            System.out.println("MSDA core vs naive: max abs err " + err);
            assertThat(err).isLessThan(2e-5);

            // chunked query processing gives the same numbers
            Tensor chunked = MSDeformAttn.multiScaleDeformableAttn(tensorOf(value, b, s, m, d), shapes,
                    tensorOf(loc, b, q, m, levels, p, 2), tensorOf(aw, b, q, m, levels, p), 1);
            assertThat(maxAbsDiff(floats(chunked), toDouble(floats(out)))).isEqualTo(0.0);
        }
    }

    @Test
    void coreSeesEveryLevelIndependently() {
        // a point sampled one pixel below level 0 must not read level 1's first row in the stacked canvas
        SpatialShapes shapes = new SpatialShapes(new int[] {2, 2}, new int[] {2, 2});
        float[] value = new float[8];
        for (int i = 4; i < 8; i++) {
            value[i] = 100f; // level 1 = 100 everywhere, level 0 = 0
        }
        float[] loc = {0.25f, 1.75f, 0.25f, 0.25f}; // level 0: y pixel 3.0 (outside); level 1: inside
        float[] aw = {1f, 0f};
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor out = MSDeformAttn.multiScaleDeformableAttn(tensorOf(value, 1, 8, 1, 1), shapes,
                    tensorOf(loc, 1, 1, 1, 2, 1, 2), tensorOf(aw, 1, 1, 1, 2, 1));
            assertThat(floats(out)[0]).isEqualTo(0f);
        }
    }

    @Test
    void forwardWithPointReferencesAndPaddingMatchesNaive() {
        checkForward(2, 21);
    }

    @Test
    void forwardWithBoxReferencesMatchesNaive() {
        checkForward(4, 22);
    }

    @Test
    void rejectsMismatchedShapes() {
        MSDeformAttnConfig cfg = new MSDeformAttnConfig(8, 2, 2, 2);
        Map<String, Tensor> weights = new HashMap<>();
        try (InferenceScope scope = InferenceScope.open()) {
            MSDeformAttn attn = new MSDeformAttn(cfg, randomParams(cfg, new Random(1), weights));
            Tensor query = tensorOf(new float[8], 1, 1, 8);
            Tensor value = tensorOf(new float[8 * 5], 1, 5, 8);
            Tensor ref = tensorOf(new float[4], 1, 1, 2, 2);
            assertThatThrownBy(() -> attn.forward(query, value, null, ref,
                    new SpatialShapes(new int[] {2, 1}, new int[] {2, 2})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("levels");
        }
        assertThatThrownBy(() -> new MSDeformAttnConfig(10, 3, 4, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SpatialShapes(new int[] {1, 0}, new int[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void declaresTheReferenceParameterNames() {
        ParamTree p = ParamTree.declare();
        new MSDeformAttn(new MSDeformAttnConfig(256, 8, 4, 4), p.child("self_attn"));
        assertThat(p.declared().keySet()).containsExactly("self_attn.sampling_offsets.weight",
                "self_attn.sampling_offsets.bias", "self_attn.attention_weights.weight",
                "self_attn.attention_weights.bias", "self_attn.value_proj.weight", "self_attn.value_proj.bias",
                "self_attn.output_proj.weight", "self_attn.output_proj.bias");
        assertThat(p.declared().get("self_attn.sampling_offsets.weight")).containsExactly(256, 256);
        assertThat(p.declared().get("self_attn.attention_weights.weight")).containsExactly(128, 256);
    }

    private static void checkForward(int refDim, long seed) {
        Random r = new Random(seed);
        SpatialShapes shapes = new SpatialShapes(HS, WS);
        int c = 8, heads = 2, levels = HS.length, points = 3, b = 2, q = 9;
        int s = (int) shapes.total();
        MSDeformAttnConfig cfg = new MSDeformAttnConfig(c, heads, levels, points);
        Map<String, Tensor> w = new HashMap<>();
        try (InferenceScope scope = InferenceScope.open()) {
            MSDeformAttn attn = new MSDeformAttn(cfg, randomParams(cfg, r, w));
            float[] query = gaussian(r, b * q * c, 1.0);
            float[] value = gaussian(r, b * s * c, 1.0);
            float[] ref = refDim == 2 ? uniform(r, b * q * levels * 2, -0.1, 1.1)
                    : uniform(r, b * q * levels * 4, 0.05, 0.95);
            boolean[] mask = new boolean[b * s];
            float[] maskF = new float[b * s];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = r.nextDouble() < 0.2;
                maskF[i] = mask[i] ? 1f : 0f;
            }
            Tensor maskT = tensorOf(maskF, b, s).gt(new org.bytedeco.pytorch.Scalar(0.5));
            Tensor out = attn.forward(tensorOf(query, b, q, c), tensorOf(value, b, s, c), maskT,
                    tensorOf(ref, b, q, levels, refDim), shapes);
            assertThat(shape(out)).containsExactly(b, q, c);

            double[] expected = naiveForward(cfg, w, shapes, query, value, mask, ref, refDim, b, q);
            double err = maxAbsDiff(floats(out), expected);
            System.out.println("MSDeformAttn forward (" + refDim + "-d refs) vs naive: max abs err " + err);
            assertThat(err).isLessThan(2e-5);
        }
    }

    private static ParamTree randomParams(MSDeformAttnConfig cfg, Random r, Map<String, Tensor> store) {
        ParamTree declared = ParamTree.declare();
        new MSDeformAttn(cfg, declared);
        for (Map.Entry<String, long[]> e : declared.declared().entrySet()) {
            long n = 1;
            for (long dim : e.getValue()) {
                n *= dim;
            }
            // offsets large enough to leave the levels; everything else O(0.5)
            double std = e.getKey().startsWith("sampling_offsets") ? 1.5 : 0.5;
            store.put(e.getKey(), tensorOf(gaussian(r, (int) n, std), e.getValue()));
        }
        return ParamTree.load(store::get);
    }

    // ---------------------------------------------------------------- naive reference (double precision)

    private static double[] naiveForward(MSDeformAttnConfig cfg, Map<String, Tensor> w, SpatialShapes shapes,
            float[] query, float[] value, boolean[] mask, float[] ref, int refDim, int b, int q) {
        int c = cfg.embedDim(), m = cfg.numHeads(), d = cfg.headDim(), levels = cfg.numLevels(), p = cfg.numPoints();
        int s = (int) shapes.total();
        float[] vp = naiveLinear(value, floats(w.get("value_proj.weight")), floats(w.get("value_proj.bias")), c, c);
        for (int i = 0; i < b * s; i++) {
            if (mask[i]) {
                for (int k = 0; k < c; k++) {
                    vp[i * c + k] = 0f;
                }
            }
        }
        int nOff = m * levels * p * 2;
        int nAw = m * levels * p;
        float[] off = naiveLinear(query, floats(w.get("sampling_offsets.weight")),
                floats(w.get("sampling_offsets.bias")), c, nOff);
        float[] logits = naiveLinear(query, floats(w.get("attention_weights.weight")),
                floats(w.get("attention_weights.bias")), c, nAw);
        float[] aw = new float[b * q * nAw];
        float[] loc = new float[b * q * nOff];
        for (int bq = 0; bq < b * q; bq++) {
            for (int h = 0; h < m; h++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < levels * p; k++) {
                    max = Math.max(max, logits[bq * nAw + h * levels * p + k]);
                }
                double sum = 0;
                for (int k = 0; k < levels * p; k++) {
                    sum += Math.exp(logits[bq * nAw + h * levels * p + k] - max);
                }
                for (int k = 0; k < levels * p; k++) {
                    aw[bq * nAw + h * levels * p + k] =
                            (float) (Math.exp(logits[bq * nAw + h * levels * p + k] - max) / sum);
                }
                for (int l = 0; l < levels; l++) {
                    for (int pt = 0; pt < p; pt++) {
                        int o = bq * nOff + ((h * levels + l) * p + pt) * 2;
                        int rb = (bq * levels + l) * refDim;
                        if (refDim == 2) {
                            loc[o] = (float) (ref[rb] + (double) off[o] / shapes.width(l));
                            loc[o + 1] = (float) (ref[rb + 1] + (double) off[o + 1] / shapes.height(l));
                        } else {
                            loc[o] = (float) (ref[rb] + (double) off[o] / p * ref[rb + 2] * 0.5);
                            loc[o + 1] = (float) (ref[rb + 1] + (double) off[o + 1] / p * ref[rb + 3] * 0.5);
                        }
                    }
                }
            }
        }
        double[] core = naiveCore(vp, shapes, loc, aw, b, q, m, d, p);
        float[] coreF = new float[core.length];
        for (int i = 0; i < core.length; i++) {
            coreF[i] = (float) core[i];
        }
        float[] out = naiveLinear(coreF, floats(w.get("output_proj.weight")), floats(w.get("output_proj.bias")), c, c);
        return toDouble(out);
    }

    /** value (B,S,M,D), loc (B,Q,M,L,P,2), aw (B,Q,M,L,P) -> (B,Q,M*D). */
    static double[] naiveCore(float[] value, SpatialShapes shapes, float[] loc, float[] aw, int b, int q, int m, int d,
            int p) {
        int levels = shapes.levels();
        int s = (int) shapes.total();
        double[] out = new double[b * q * m * d];
        for (int bi = 0; bi < b; bi++) {
            for (int qi = 0; qi < q; qi++) {
                for (int h = 0; h < m; h++) {
                    for (int l = 0; l < levels; l++) {
                        int hl = shapes.height(l);
                        int wl = shapes.width(l);
                        int start = (int) shapes.start(l);
                        for (int pt = 0; pt < p; pt++) {
                            int li = (((bi * q + qi) * m + h) * levels + l) * p + pt;
                            double x = (double) loc[li * 2] * wl - 0.5;
                            double y = (double) loc[li * 2 + 1] * hl - 0.5;
                            int x0 = (int) Math.floor(x);
                            int y0 = (int) Math.floor(y);
                            double fx = x - x0;
                            double fy = y - y0;
                            for (int k = 0; k < d; k++) {
                                double sample = 0;
                                for (int dy = 0; dy <= 1; dy++) {
                                    for (int dx = 0; dx <= 1; dx++) {
                                        int xx = x0 + dx;
                                        int yy = y0 + dy;
                                        if (xx < 0 || yy < 0 || xx >= wl || yy >= hl) {
                                            continue;
                                        }
                                        double wgt = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
                                        int vi = ((bi * s + start + yy * wl + xx) * m + h) * d + k;
                                        sample += wgt * value[vi];
                                    }
                                }
                                out[((bi * q + qi) * m + h) * d + k] += aw[li] * sample;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static float[] naiveLinear(float[] x, float[] weight, float[] bias, int in, int out) {
        int rows = x.length / in;
        float[] y = new float[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = bias[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x[r * in + i] * weight[o * in + i];
                }
                y[r * out + o] = (float) acc;
            }
        }
        return y;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
