package dev.groundingdino.sam.internal.common;

import static org.bytedeco.pytorch.global.torch.layer_norm;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** {@code torch.nn.LayerNorm} over the last dimension, with {@code weight} and {@code bias} [dim]. */
public final class LayerNorm {
    private final Tensor weight;
    private final Tensor bias;
    private final int dim;
    private final double eps;

    /** Declares/loads {@code weight} and {@code bias} of size {@code dim}; {@code eps} as in the reference. */
    public LayerNorm(ParamTree p, int dim, double eps) {
        this.weight = p.param("weight", dim);
        this.bias = p.param("bias", dim);
        this.dim = dim;
        this.eps = eps;
    }

    /** Normalises {@code (..., dim)} over its last dimension. */
    public Tensor forward(Tensor x) {
        return layer_norm(x, new long[] {dim}, new TensorOptional(weight), new TensorOptional(bias), eps, false);
    }
}
