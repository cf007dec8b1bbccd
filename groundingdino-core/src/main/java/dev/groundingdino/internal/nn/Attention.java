package dev.groundingdino.internal.nn;

import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code softmax(q k^T * scale + mask) v} through libtorch's fused {@code scaled_dot_product_attention}: the
 * attention core of the Swin windows, BERT and {@code nn.MultiheadAttention}.
 *
 * <p>On the CPU the fused kernel is run in float32 even for bfloat16 inputs (the result is converted back): this
 * libtorch's bfloat16 CPU kernel was about 10x SLOWER than its float32 one (94 ms against 9 ms for 8 heads x 900 x
 * 900 on the project's machine), and float32 scores are also more accurate. The conversions cost ~0.1 ms per MB.
 */
public final class Attention {
    private Attention() {}

    /**
     * @param q (..., L, hd)
     * @param k (..., S, hd)
     * @param v (..., S, hd)
     * @param additiveMask broadcastable to (..., L, S), added to the scaled scores ({@code -inf} blocks), or null
     * @param scale the score scale, usually {@code hd^-0.5}
     * @return (..., L, hd) in the dtype of {@code q}
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor additiveMask, double scale) {
        ScalarType type = q.scalar_type();
        boolean upcast = type.intern() == ScalarType.BFloat16 && q.device().is_cpu();
        if (upcast) {
            q = q.to(ScalarType.Float);
            k = k.to(ScalarType.Float);
            v = v.to(ScalarType.Float);
            additiveMask = additiveMask == null ? null : additiveMask.to(ScalarType.Float);
        }
        Tensor out = scaled_dot_product_attention(q, k, v,
                additiveMask == null ? new TensorOptional() : new TensorOptional(additiveMask), 0.0, false,
                new DoubleOptional(scale), false);
        return upcast ? out.to(type) : out;
    }
}
