package dev.groundingdino.sam.internal.common;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code segment_anything/modeling/common.py::LayerNorm2d}: layer norm over the channel dimension of an NCHW
 * tensor, computed with the reference's explicit mean / biased variance / sqrt sequence (not {@code layer_norm}), so
 * the float32 rounding follows the reference step by step.
 */
public final class LayerNorm2d {
    private final Tensor weight;
    private final Tensor bias;
    private final int channels;
    private final double eps;

    /** Declares/loads {@code weight} and {@code bias} [channels]; the reference default eps is 1e-6. */
    public LayerNorm2d(ParamTree p, int channels, double eps) {
        this.weight = p.param("weight", channels);
        this.bias = p.param("bias", channels);
        this.channels = channels;
        this.eps = eps;
    }

    /** {@code (B, C, H, W) -> (B, C, H, W)}. */
    public Tensor forward(Tensor x) {
        Tensor u = x.mean(new long[] {1}, true, new ScalarTypeOptional()); // (B, 1, H, W)
        Tensor centred = x.sub(u); // (B, C, H, W)
        Tensor s = centred.pow(new Scalar(2.0)).mean(new long[] {1}, true,
                new ScalarTypeOptional()); // (B, 1, H, W)
        Tensor normed = centred.div(s.add(new Scalar(eps)).sqrt()); // (B, C, H, W)
        Tensor w = weight.view(channels, 1, 1); // (C, 1, 1)
        Tensor b = bias.view(channels, 1, 1); // (C, 1, 1)
        return w.mul(normed).add(b);
    }
}
