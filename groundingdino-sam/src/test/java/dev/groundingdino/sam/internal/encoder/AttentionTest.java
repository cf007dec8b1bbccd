package dev.groundingdino.sam.internal.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.testing.TensorValues;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The fused, head-sliced encoder attention against the reference formula written out with plain tensor ops
 * ({@code image_encoder.py::Attention.forward} and {@code add_decomposed_rel_pos}: materialised scores, explicit
 * softmax), on random weights; the golden tests cover the unsliced path with the reference's own numbers.
 */
class AttentionTest {
    private static final SamConfig CFG = SamConfig.tiny(); // 64-d, 2 heads of 32

    @Test
    @SuppressWarnings("try")
    void fusedAndSlicedAttentionEqualTheReferenceFormula() {
        int size = 9; // 81 tokens per window
        try (InferenceScope scope = InferenceScope.open()) {
            torch.manual_seed(3);
            ParamTree declare = ParamTree.declare();
            new Attention(CFG, declare, size);
            Map<String, Tensor> weights = new HashMap<>();
            declare.declared().forEach((name, shape) -> weights.put(name, torch.randn(shape).mul(new Scalar(0.3))));
            Tensor x = torch.randn(3, size, size, CFG.encoderEmbedDim()); // 3 windows
            Attention whole = new Attention(CFG, ParamTree.load(weights::get), size);
            Attention sliced = new Attention(CFG, ParamTree.load(weights::get), size, (long) size * size * size * size);

            double[] expected = TensorValues.doubles(reference(weights, x, size));
            double[] fused = TensorValues.doubles(whole.forward(x));
            double[] slices = TensorValues.doubles(sliced.forward(x)); // one (window, head) slice at a time

            double magnitude = TensorValues.maxAbsDiff(expected, new double[expected.length]);
            assertThat(magnitude).isGreaterThan(1.0); // a real signal, not zeros
            // float32 rounding: the fused kernel sums in another order than the explicit formula
            assertThat(TensorValues.maxAbsDiff(fused, expected)).isLessThan(1e-5 * magnitude);
            assertThat(TensorValues.maxAbsDiff(slices, fused)).isLessThan(1e-6 * magnitude);
        }
    }

    /** The reference computation, step by step: scores, + rel_h + rel_w from the unscaled q, softmax, @ v, proj. */
    private static Tensor reference(Map<String, Tensor> w, Tensor x, int size) {
        int dim = CFG.encoderEmbedDim();
        int heads = CFG.encoderNumHeads();
        int hd = dim / heads;
        long b = x.size(0);
        long n = (long) size * size;
        Tensor qkv = torch.matmul(x.reshape(b, n, dim), w.get("qkv.weight").t()).add(w.get("qkv.bias"))
                .reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4).reshape(3, b * heads, n, hd);
        Tensor q = qkv.select(0, 0);
        Tensor k = qkv.select(0, 1);
        Tensor v = qkv.select(0, 2);
        Tensor attn = torch.matmul(q.mul(new Scalar(Math.pow(hd, -0.5))), k.transpose(-2, -1)); // (bh, n, n)
        Tensor relH = torch.zeros(b * heads, size, size, size, 1);
        Tensor relW = torch.zeros(b * heads, size, size, 1, size);
        Tensor rq = q.reshape(b * heads, size, size, hd);
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                Tensor rowH = w.get("rel_pos_h").select(0, i - j + size - 1); // R_h[i, j]
                Tensor rowW = w.get("rel_pos_w").select(0, i - j + size - 1); // R_w[i, j]
                // rel_h[b, qh, qw, kh=j] = q[b, qh=i, qw] . R_h[i, j];  rel_w[b, qh, qw=i, kw=j] = q[b, qh, i] . R_w[i, j]
                relH.select(1, i).select(2, j).select(2, 0).copy_(torch.matmul(rq.select(1, i), rowH));
                relW.select(2, i).select(2, 0).select(2, j).copy_(torch.matmul(rq.select(2, i), rowW));
            }
        }
        attn = attn.view(b * heads, size, size, size, size).add(relH).add(relW).view(b * heads, n, n);
        Tensor out = torch.matmul(attn.softmax(-1), v) // (bh, n, hd)
                .view(b, heads, size, size, hd).permute(0, 2, 3, 1, 4).reshape(b, size, size, dim);
        return torch.matmul(out, w.get("proj.weight").t()).add(w.get("proj.bias"));
    }
}
