package dev.groundingdino.internal.fusion;

import static dev.groundingdino.internal.bert.TextTensors.boolTensor;
import static dev.groundingdino.internal.bert.TextTensors.floatTensor;
import static dev.groundingdino.internal.bert.TextTensors.floats;
import static dev.groundingdino.internal.bert.TextTensors.gaussian;
import static dev.groundingdino.internal.bert.TextTensors.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.bert.TextTensors;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BiAttentionBlock} / {@link BiMultiHeadAttention} against an independent plain-Java (double, explicit
 * loops) re-computation of fuse_modules.py, plus the invariants of NOTES §4.1. The golden data cannot test the
 * block alone (its image input is only available inside the full pipeline, which the end-to-end test covers).
 */
class BiAttentionBlockTest {
    // vDim != lDim so that swapped projections cannot pass.
    private static final BiAttentionConfig CFG = new BiAttentionConfig(16, 12, 8, 2);
    private static final int B = 2;
    private static final int N_IMG = 7;
    private static final int N_TXT = 5;

    private static Map<String, long[]> declared;

    @BeforeAll
    static void declare() {
        Natives.ensureLoaded();
        ParamTree d = ParamTree.declare();
        new BiAttentionBlock(CFG, d);
        declared = d.declared();
    }

    @Test
    void declaresTheReferenceParameterNames() {
        assertThat(declared.keySet()).containsExactly("gamma_v", "gamma_l", "layer_norm_v.weight",
                "layer_norm_v.bias", "layer_norm_l.weight", "layer_norm_l.bias", "attn.v_proj.weight",
                "attn.v_proj.bias", "attn.l_proj.weight", "attn.l_proj.bias", "attn.values_v_proj.weight",
                "attn.values_v_proj.bias", "attn.values_l_proj.weight", "attn.values_l_proj.bias",
                "attn.out_v_proj.weight", "attn.out_v_proj.bias", "attn.out_l_proj.weight", "attn.out_l_proj.bias");
        assertThat(declared.get("attn.v_proj.weight")).containsExactly(8, 16);
        assertThat(declared.get("attn.l_proj.weight")).containsExactly(8, 12);
        assertThat(declared.get("attn.out_l_proj.weight")).containsExactly(12, 8);
    }

    @Test
    void matchesStraightforwardRecomputationWithPaddingMasks() {
        Random rnd = new Random(11);
        Map<String, float[]> params = params(rnd);
        float[] v = gaussian(rnd, B * N_IMG * CFG.vDim(), 1.0);
        float[] l = gaussian(rnd, B * N_TXT * CFG.lDim(), 1.0);
        boolean[] padV = padding(new int[] {N_IMG, N_IMG - 2}, N_IMG); // batch 1: last 2 image tokens padded
        boolean[] padL = padding(new int[] {N_TXT - 1, N_TXT}, N_TXT); // batch 0: last text token padded

        BiAttentionBlock block = new BiAttentionBlock(CFG, TextTensors.loadTree(declared, params));
        Ref ref = new Ref(params);
        double[][] expected = ref.block(v, l, padV, padL, true);
        try (InferenceScope s = InferenceScope.open()) {
            VisionLanguage out = run(block, v, l, padV, padL);
            double errV = maxAbsDiff(floats(out.v()), expected[0]);
            double errL = maxAbsDiff(floats(out.l()), expected[1]);
            System.out.printf("BiAttentionBlock vs loop re-computation: max |err| v %.3g, l %.3g%n", errV, errL);
            assertThat(errV).isLessThan(2e-5);
            assertThat(errL).isLessThan(2e-5);
            // the block really changed its inputs (gamma != 0, attention output not negligible)
            double[] lnOnly = ref.block(v, l, padV, padL, true, true)[0];
            assertThat(maxAbsDiff(floats(out.v()), lnOnly)).isGreaterThan(1e-2);
        }
    }

    @Test
    void residualIsAddedToTheNormalisedInputs() {
        Random rnd = new Random(12);
        Map<String, float[]> params = params(rnd);
        Arrays.fill(params.get("gamma_v"), 0f);
        Arrays.fill(params.get("gamma_l"), 0f);
        float[] v = gaussian(rnd, B * N_IMG * CFG.vDim(), 3.0);
        float[] l = gaussian(rnd, B * N_TXT * CFG.lDim(), 3.0);
        BiAttentionBlock block = new BiAttentionBlock(CFG, TextTensors.loadTree(declared, params));
        double[][] ln = new Ref(params).block(v, l, null, null, true, true);
        try (InferenceScope s = InferenceScope.open()) {
            VisionLanguage out = run(block, v, l, null, null);
            // gamma = 0: the outputs are exactly LN(v), LN(l), not the raw inputs
            assertThat(maxAbsDiff(floats(out.v()), ln[0])).isLessThan(1e-5);
            assertThat(maxAbsDiff(floats(out.l()), ln[1])).isLessThan(1e-5);
            assertThat(maxAbsDiff(floats(out.v()), v)).isGreaterThan(0.5);
        }
    }

    @Test
    void paddedTokensDoNotInfluenceTheOtherModality() {
        Random rnd = new Random(13);
        Map<String, float[]> params = params(rnd);
        float[] v = gaussian(rnd, B * N_IMG * CFG.vDim(), 1.0);
        float[] l = gaussian(rnd, B * N_TXT * CFG.lDim(), 1.0);
        boolean[] padV = padding(new int[] {N_IMG, N_IMG - 2}, N_IMG);
        boolean[] padL = padding(new int[] {N_TXT - 1, N_TXT}, N_TXT);
        // fresh values in the padded slots (an affine change would vanish in the LayerNorm): batch 0's last text
        // token, batch 1's last two image tokens
        float[] v2 = v.clone();
        float[] l2 = l.clone();
        for (int i = (N_IMG + N_IMG - 2) * CFG.vDim(); i < 2 * N_IMG * CFG.vDim(); i++) {
            v2[i] = (float) rnd.nextGaussian();
        }
        for (int i = (N_TXT - 1) * CFG.lDim(); i < N_TXT * CFG.lDim(); i++) {
            l2[i] = (float) rnd.nextGaussian();
        }
        BiAttentionBlock block = new BiAttentionBlock(CFG, TextTensors.loadTree(declared, params));
        try (InferenceScope s = InferenceScope.open()) {
            VisionLanguage a = run(block, v, l, padV, padL);
            VisionLanguage b = run(block, v2, l2, padV, padL);
            float[] va = floats(a.v());
            float[] vb = floats(b.v());
            float[] la = floats(a.l());
            float[] lb = floats(b.l());
            // image tokens of batch 0 ignore its padded text token; text of batch 1 ignores its padded image tokens
            assertThat(maxAbsDiff(slice(va, 0, N_IMG * CFG.vDim()), slice(vb, 0, N_IMG * CFG.vDim())))
                    .isLessThan(1e-5);
            assertThat(maxAbsDiff(slice(la, N_TXT * CFG.lDim(), 2 * N_TXT * CFG.lDim()),
                    slice(lb, N_TXT * CFG.lDim(), 2 * N_TXT * CFG.lDim()))).isLessThan(1e-5);
            // real text tokens of batch 0 and real image tokens of batch 1 are unaffected too
            assertThat(maxAbsDiff(slice(la, 0, (N_TXT - 1) * CFG.lDim()), slice(lb, 0, (N_TXT - 1) * CFG.lDim())))
                    .isLessThan(1e-5);
            int v1 = N_IMG * CFG.vDim();
            assertThat(maxAbsDiff(slice(va, v1, v1 + (N_IMG - 2) * CFG.vDim()),
                    slice(vb, v1, v1 + (N_IMG - 2) * CFG.vDim()))).isLessThan(1e-5);
            // ...while without the masks the change is visible (the test can fail)
            VisionLanguage c = run(block, v, l, null, null);
            VisionLanguage d = run(block, v2, l2, null, null);
            assertThat(maxAbsDiff(slice(floats(c.v()), 0, N_IMG * CFG.vDim()),
                    slice(floats(d.v()), 0, N_IMG * CFG.vDim()))).isGreaterThan(1e-3);
        }
    }

    @Test
    void batchWithPaddingEqualsSingleUnpaddedRuns() {
        Random rnd = new Random(14);
        Map<String, float[]> params = params(rnd);
        float[] v = gaussian(rnd, B * N_IMG * CFG.vDim(), 1.0);
        float[] l = gaussian(rnd, B * N_TXT * CFG.lDim(), 1.0);
        boolean[] padV = padding(new int[] {N_IMG, N_IMG - 2}, N_IMG);
        boolean[] padL = padding(new int[] {N_TXT - 1, N_TXT}, N_TXT);
        BiAttentionBlock block = new BiAttentionBlock(CFG, TextTensors.loadTree(declared, params));
        try (InferenceScope s = InferenceScope.open()) {
            VisionLanguage batch = run(block, v, l, padV, padL);
            float[] bv = floats(batch.v());
            float[] bl = floats(batch.l());
            // element 0: all 7 image tokens, 4 real text tokens
            Tensor v0 = floatTensor(slice(v, 0, N_IMG * CFG.vDim()), 1, N_IMG, CFG.vDim());
            Tensor l0 = floatTensor(slice(l, 0, (N_TXT - 1) * CFG.lDim()), 1, N_TXT - 1, CFG.lDim());
            VisionLanguage single0 = block.forward(v0, l0, null, null);
            assertThat(maxAbsDiff(floats(single0.v()), slice(bv, 0, N_IMG * CFG.vDim()))).isLessThan(1e-5);
            assertThat(maxAbsDiff(floats(single0.l()), slice(bl, 0, (N_TXT - 1) * CFG.lDim()))).isLessThan(1e-5);
            // element 1: 5 real image tokens, all 5 text tokens
            int v1 = N_IMG * CFG.vDim();
            int l1 = N_TXT * CFG.lDim();
            Tensor v1t = floatTensor(slice(v, v1, v1 + (N_IMG - 2) * CFG.vDim()), 1, N_IMG - 2, CFG.vDim());
            Tensor l1t = floatTensor(slice(l, l1, 2 * l1), 1, N_TXT, CFG.lDim());
            VisionLanguage single1 = block.forward(v1t, l1t, null, null);
            assertThat(maxAbsDiff(floats(single1.v()), slice(bv, v1, v1 + (N_IMG - 2) * CFG.vDim())))
                    .isLessThan(1e-5);
            assertThat(maxAbsDiff(floats(single1.l()), slice(bl, l1, 2 * l1))).isLessThan(1e-5);
        }
    }

    /**
     * The score shift is the max over the WHOLE batch and the clamp at -50000 follows it: when batch 0 has scores
     * ~1e5 and batch 1 ~1e2, all of batch 1's scores clamp to -50000 and its attention becomes uniform in both
     * directions (a per-element max would not do this).
     */
    @Test
    void globalMaxSubtractionAndClampActAcrossTheBatch() {
        Random rnd = new Random(15);
        Map<String, float[]> params = params(rnd);
        int nv = N_IMG * CFG.vDim();
        float[] v = new float[B * nv];
        float[] big = gaussian(rnd, nv, 400.0);
        float[] small = gaussian(rnd, nv, 1.0);
        System.arraycopy(big, 0, v, 0, nv);
        System.arraycopy(small, 0, v, nv, nv);
        float[] l = gaussian(rnd, B * N_TXT * CFG.lDim(), 400.0);

        BiMultiHeadAttention attn = new BiMultiHeadAttention(CFG, TextTensors.loadTree(declared, params).child("attn"));
        Ref ref = new Ref(params);
        double[][] global = ref.attention(v, l, null, null, true);
        double[][] perElement = ref.attention(v, l, null, null, false);
        double[][] uniform = ref.uniformAttention(v, l, 1);
        try (InferenceScope s = InferenceScope.open()) {
            VisionLanguage d = attn.forward(floatTensor(v, B, N_IMG, CFG.vDim()), floatTensor(l, B, N_TXT, CFG.lDim()),
                    null, null);
            float[] dv = floats(d.v());
            float[] dl = floats(d.l());
            int ov = N_IMG * CFG.vDim();
            int ol = N_TXT * CFG.lDim();
            float[] dv1 = slice(dv, ov, 2 * ov);
            float[] dl1 = slice(dl, ol, 2 * ol);
            double scaleV = maxAbs(uniform[0]);
            double scaleL = maxAbs(uniform[1]);
            // batch 1 = uniform attention over the other modality
            assertThat(maxAbsDiff(dv1, uniform[0])).isLessThan(1e-5 * scaleV);
            assertThat(maxAbsDiff(dl1, uniform[1])).isLessThan(1e-5 * scaleL);
            assertThat(maxAbsDiff(dv1, slice(global[0], ov, 2 * ov))).isLessThan(1e-5 * scaleV);
            // the per-element variant differs clearly, so this test discriminates
            assertThat(maxAbsDiff(dv1, slice(perElement[0], ov, 2 * ov))).isGreaterThan(1e-2 * scaleV);
            for (float x : dv) {
                assertThat(Float.isFinite(x)).isTrue();
            }
        }
    }

    @Test
    void rejectsMismatchedShapesAndNonBoolMasks() {
        BiAttentionBlock block = new BiAttentionBlock(CFG, TextTensors.loadTree(declared, params(new Random(1))));
        try (InferenceScope s = InferenceScope.open()) {
            Tensor v = floatTensor(new float[2 * 3 * 16], 2, 3, 16);
            Tensor l = floatTensor(new float[2 * 4 * 12], 2, 4, 12);
            assertThatThrownBy(() -> block.forward(l, v, null, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("image tokens");
            Tensor badMask = floatTensor(new float[2 * 4], 2, 4);
            assertThatThrownBy(() -> block.forward(v, l, null, badMask)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bool");
            Tensor shortMask = boolTensor(new boolean[2 * 3], 2, 3);
            assertThatThrownBy(() -> block.forward(v, l, null, shortMask))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text padding mask");
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Map<String, float[]> params(Random rnd) {
        // gammas of order 0.5 so the attention branch is clearly visible (the golden checkpoint has ~1e-4 + noise)
        return TextTensors.randomParams(declared, rnd, name -> name.startsWith("gamma") ? 0.5 : null);
    }

    private static VisionLanguage run(BiAttentionBlock block, float[] v, float[] l, boolean[] padV, boolean[] padL) {
        return block.forward(floatTensor(v, B, N_IMG, CFG.vDim()), floatTensor(l, B, N_TXT, CFG.lDim()),
                padV == null ? null : boolTensor(padV, B, N_IMG), padL == null ? null : boolTensor(padL, B, N_TXT));
    }

    /** Padding flags for B rows: row b has {@code valid[b]} real tokens then padding. */
    private static boolean[] padding(int[] valid, int n) {
        boolean[] m = new boolean[valid.length * n];
        for (int b = 0; b < valid.length; b++) {
            for (int i = valid[b]; i < n; i++) {
                m[b * n + i] = true;
            }
        }
        return m;
    }

    private static float[] slice(float[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }

    private static double[] slice(double[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** fuse_modules.py written out with loops in double precision, flat row-major arrays in and out. */
    private static final class Ref {
        private final Map<String, float[]> p;
        private final int dv = CFG.vDim();
        private final int dl = CFG.lDim();
        private final int e = CFG.embedDim();
        private final int h = CFG.numHeads();
        private final int hd = CFG.headDim();

        Ref(Map<String, float[]> p) {
            this.p = p;
        }

        double[][] block(float[] v, float[] l, boolean[] padV, boolean[] padL, boolean globalMax) {
            return block(v, l, padV, padL, globalMax, false);
        }

        /** Returns {v_out, l_out}; with {@code normOnly} the LayerNorm outputs alone. */
        double[][] block(float[] v, float[] l, boolean[] padV, boolean[] padL, boolean globalMax, boolean normOnly) {
            double[] vn = layerNorm(toDouble(v), dv, p.get("layer_norm_v.weight"), p.get("layer_norm_v.bias"));
            double[] ln = layerNorm(toDouble(l), dl, p.get("layer_norm_l.weight"), p.get("layer_norm_l.bias"));
            if (normOnly) {
                return new double[][] {vn, ln};
            }
            double[][] delta = attentionD(vn, ln, padV, padL, globalMax);
            double[] gv = toDouble(p.get("gamma_v"));
            double[] gl = toDouble(p.get("gamma_l"));
            double[] vo = new double[vn.length];
            double[] lo = new double[ln.length];
            for (int i = 0; i < vo.length; i++) {
                vo[i] = vn[i] + gv[i % dv] * delta[0][i];
            }
            for (int i = 0; i < lo.length; i++) {
                lo[i] = ln[i] + gl[i % dl] * delta[1][i];
            }
            return new double[][] {vo, lo};
        }

        double[][] attention(float[] v, float[] l, boolean[] padV, boolean[] padL, boolean globalMax) {
            return attentionD(toDouble(v), toDouble(l), padV, padL, globalMax);
        }

        /** The deltas of batch element {@code b} if both attentions were uniform (no padding). */
        double[][] uniformAttention(float[] v, float[] l, int b) {
            double[] vd = toDouble(v);
            double[] ld = toDouble(l);
            double[] vv = linear(vd, dv, "attn.values_v_proj", e);
            double[] vl = linear(ld, dl, "attn.values_l_proj", e);
            double[] meanL = new double[N_IMG * e];
            double[] meanV = new double[N_TXT * e];
            for (int c = 0; c < e; c++) {
                double sl = 0;
                for (int j = 0; j < N_TXT; j++) {
                    sl += vl[(b * N_TXT + j) * e + c];
                }
                double sv = 0;
                for (int i = 0; i < N_IMG; i++) {
                    sv += vv[(b * N_IMG + i) * e + c];
                }
                for (int i = 0; i < N_IMG; i++) {
                    meanL[i * e + c] = sl / N_TXT;
                }
                for (int j = 0; j < N_TXT; j++) {
                    meanV[j * e + c] = sv / N_IMG;
                }
            }
            return new double[][] {linear(meanL, e, "attn.out_v_proj", dv), linear(meanV, e, "attn.out_l_proj", dl)};
        }

        private double[][] attentionD(double[] v, double[] l, boolean[] padV, boolean[] padL, boolean globalMax) {
            double scale = Math.pow(hd, -0.5);
            double[] q = linear(v, dv, "attn.v_proj", e);
            for (int i = 0; i < q.length; i++) {
                q[i] *= scale;
            }
            double[] k = linear(l, dl, "attn.l_proj", e);
            double[] vv = linear(v, dv, "attn.values_v_proj", e);
            double[] vl = linear(l, dl, "attn.values_l_proj", e);

            double[][][][] a = new double[B][h][N_IMG][N_TXT];
            for (int b = 0; b < B; b++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int i = 0; i < N_IMG; i++) {
                        for (int j = 0; j < N_TXT; j++) {
                            double s = 0;
                            for (int d = 0; d < hd; d++) {
                                s += q[(b * N_IMG + i) * e + hh * hd + d] * k[(b * N_TXT + j) * e + hh * hd + d];
                            }
                            a[b][hh][i][j] = s;
                        }
                    }
                }
            }
            double[] shift = new double[B];
            Arrays.fill(shift, Double.NEGATIVE_INFINITY);
            for (int b = 0; b < B; b++) {
                for (double[][] m : a[b]) {
                    for (double[] row : m) {
                        for (double x : row) {
                            shift[b] = Math.max(shift[b], x);
                        }
                    }
                }
            }
            if (globalMax) {
                double g = Arrays.stream(shift).max().orElseThrow();
                Arrays.fill(shift, g);
            }
            double[] outV = new double[B * N_IMG * e];
            double[] outL = new double[B * N_TXT * e];
            for (int b = 0; b < B; b++) {
                for (int hh = 0; hh < h; hh++) {
                    double[][] s = new double[N_IMG][N_TXT];
                    for (int i = 0; i < N_IMG; i++) {
                        for (int j = 0; j < N_TXT; j++) {
                            s[i][j] = clamp(a[b][hh][i][j] - shift[b]);
                        }
                    }
                    // text -> image: per text token, over image tokens
                    for (int j = 0; j < N_TXT; j++) {
                        double rowMax = Double.NEGATIVE_INFINITY;
                        for (int i = 0; i < N_IMG; i++) {
                            rowMax = Math.max(rowMax, s[i][j]);
                        }
                        double[] w = new double[N_IMG];
                        for (int i = 0; i < N_IMG; i++) {
                            boolean pad = padV != null && padV[b * N_IMG + i];
                            w[i] = pad ? Double.NEGATIVE_INFINITY : clamp(s[i][j] - rowMax);
                        }
                        softmaxInPlace(w);
                        for (int d = 0; d < hd; d++) {
                            double acc = 0;
                            for (int i = 0; i < N_IMG; i++) {
                                acc += w[i] * vv[(b * N_IMG + i) * e + hh * hd + d];
                            }
                            outL[(b * N_TXT + j) * e + hh * hd + d] = acc;
                        }
                    }
                    // image -> text: per image token, over text tokens
                    for (int i = 0; i < N_IMG; i++) {
                        double[] w = new double[N_TXT];
                        for (int j = 0; j < N_TXT; j++) {
                            boolean pad = padL != null && padL[b * N_TXT + j];
                            w[j] = pad ? Double.NEGATIVE_INFINITY : s[i][j];
                        }
                        softmaxInPlace(w);
                        for (int d = 0; d < hd; d++) {
                            double acc = 0;
                            for (int j = 0; j < N_TXT; j++) {
                                acc += w[j] * vl[(b * N_TXT + j) * e + hh * hd + d];
                            }
                            outV[(b * N_IMG + i) * e + hh * hd + d] = acc;
                        }
                    }
                }
            }
            return new double[][] {linear(outV, e, "attn.out_v_proj", dv), linear(outL, e, "attn.out_l_proj", dl)};
        }

        /** x (rows, in) @ W^T + b with W (out, in) = params[name.weight]. */
        private double[] linear(double[] x, int in, String name, int out) {
            float[] w = p.get(name + ".weight");
            float[] bias = p.get(name + ".bias");
            int rows = x.length / in;
            double[] y = new double[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double s = bias[o];
                    for (int c = 0; c < in; c++) {
                        s += x[r * in + c] * w[o * in + c];
                    }
                    y[r * out + o] = s;
                }
            }
            return y;
        }

        private static double[] layerNorm(double[] x, int dim, float[] w, float[] b) {
            double[] y = new double[x.length];
            for (int r = 0; r < x.length / dim; r++) {
                double mean = 0;
                for (int c = 0; c < dim; c++) {
                    mean += x[r * dim + c];
                }
                mean /= dim;
                double var = 0;
                for (int c = 0; c < dim; c++) {
                    double d = x[r * dim + c] - mean;
                    var += d * d;
                }
                var /= dim;
                double inv = 1 / Math.sqrt(var + 1e-5);
                for (int c = 0; c < dim; c++) {
                    y[r * dim + c] = (x[r * dim + c] - mean) * inv * w[c] + b[c];
                }
            }
            return y;
        }

        private static void softmaxInPlace(double[] w) {
            double m = Double.NEGATIVE_INFINITY;
            for (double x : w) {
                m = Math.max(m, x);
            }
            double s = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.exp(w[i] - m);
                s += w[i];
            }
            for (int i = 0; i < w.length; i++) {
                w[i] /= s;
            }
        }

        private static double clamp(double x) {
            return Math.max(-50000, Math.min(50000, x));
        }

        private static double[] toDouble(float[] a) {
            double[] d = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = a[i];
            }
            return d;
        }
    }
}
