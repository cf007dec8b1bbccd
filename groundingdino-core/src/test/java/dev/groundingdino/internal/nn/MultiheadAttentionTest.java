package dev.groundingdino.internal.nn;

import static dev.groundingdino.internal.deformable.TensorArrays.floats;
import static dev.groundingdino.internal.deformable.TensorArrays.gaussian;
import static dev.groundingdino.internal.deformable.TensorArrays.maxAbsDiff;
import static dev.groundingdino.internal.deformable.TensorArrays.tensorOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** {@link MultiheadAttention} against a naive double-precision implementation of nn.MultiheadAttention. */
class MultiheadAttentionTest {
    @Test
    void matchesNaiveAttentionWithKeyPadding() {
        int e = 8, heads = 2, b = 2, l = 3, s = 4;
        Random r = new Random(5);
        float[] inW = gaussian(r, 3 * e * e, 0.5);
        float[] inB = gaussian(r, 3 * e, 0.5);
        float[] outW = gaussian(r, e * e, 0.5);
        float[] outB = gaussian(r, e, 0.5);
        float[] q = gaussian(r, b * l * e, 1.0);
        float[] k = gaussian(r, b * s * e, 1.0);
        float[] v = gaussian(r, b * s * e, 1.0);
        boolean[] pad = {false, false, true, true, false, false, false, true};
        float[] padF = new float[pad.length];
        for (int i = 0; i < pad.length; i++) {
            padF[i] = pad[i] ? 1f : 0f;
        }
        try (InferenceScope scope = InferenceScope.open()) {
            Map<String, Tensor> w = new HashMap<>();
            w.put("in_proj_weight", tensorOf(inW, 3 * e, e));
            w.put("in_proj_bias", tensorOf(inB, 3 * e));
            w.put("out_proj.weight", tensorOf(outW, e, e));
            w.put("out_proj.bias", tensorOf(outB, e));
            MultiheadAttention mha = new MultiheadAttention(e, heads, ParamTree.load(w::get));
            Tensor out = mha.forward(tensorOf(q, b, l, e), tensorOf(k, b, s, e), tensorOf(v, b, s, e),
                    null, tensorOf(padF, b, s).gt(new Scalar(0.5)));
            double[] expected = naive(q, k, v, pad, inW, inB, outW, outB, e, heads, b, l, s);
            double err = maxAbsDiff(floats(out), expected);
            System.out.println("MultiheadAttention vs naive: max abs err " + err);
            assertThat(err).isLessThan(1e-5);
        }
    }

    private static double[] naive(float[] q, float[] k, float[] v, boolean[] pad, float[] inW, float[] inB,
            float[] outW, float[] outB, int e, int heads, int b, int l, int s) {
        int hd = e / heads;
        double[] out = new double[b * l * e];
        for (int bi = 0; bi < b; bi++) {
            double[][] qp = project(q, bi * l, l, inW, inB, 0, e);
            double[][] kp = project(k, bi * s, s, inW, inB, e, e);
            double[][] vp = project(v, bi * s, s, inW, inB, 2 * e, e);
            double[][] concat = new double[l][e];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < l; i++) {
                    double[] score = new double[s];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        if (pad[bi * s + j]) {
                            score[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int c = 0; c < hd; c++) {
                            dot += qp[i][h * hd + c] * kp[j][h * hd + c];
                        }
                        score[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, score[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < s; j++) {
                        score[j] = Math.exp(score[j] - max);
                        sum += score[j];
                    }
                    for (int j = 0; j < s; j++) {
                        for (int c = 0; c < hd; c++) {
                            concat[i][h * hd + c] += score[j] / sum * vp[j][h * hd + c];
                        }
                    }
                }
            }
            for (int i = 0; i < l; i++) {
                for (int o = 0; o < e; o++) {
                    double acc = outB[o];
                    for (int c = 0; c < e; c++) {
                        acc += concat[i][c] * outW[o * e + c];
                    }
                    out[(bi * l + i) * e + o] = acc;
                }
            }
        }
        return out;
    }

    private static double[][] project(float[] x, int row0, int rows, float[] w, float[] bias, int offset, int e) {
        double[][] out = new double[rows][e];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < e; o++) {
                double acc = bias[offset + o];
                for (int c = 0; c < e; c++) {
                    acc += (double) x[(row0 + r) * e + c] * w[(offset + o) * e + c];
                }
                out[r][o] = acc;
            }
        }
        return out;
    }
}
