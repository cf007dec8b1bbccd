package dev.groundingdino.internal.nn;

import static org.bytedeco.pytorch.global.torch.layer_norm;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * {@code torch.nn.LayerNorm(dim, eps)} over the last dimension with an affine {@code weight}/{@code bias}: every
 * norm of the Swin backbone, the transformer, the fusion blocks ({@code eps 1e-5}) and BERT ({@code LayerNorm},
 * {@code eps 1e-12}). libtorch accumulates the statistics of bfloat16 inputs in float32.
 */
public final class LayerNorm {
    /** {@code torch.nn.LayerNorm}'s default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private final long[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** A norm with the default epsilon: declares/loads {@code weight} and {@code bias} of length {@code dim}. */
    public LayerNorm(int dim, ParamTree p) {
        this(dim, DEFAULT_EPS, p);
    }

    /** Declares/loads {@code weight} and {@code bias} of length {@code dim} under {@code p}. */
    public LayerNorm(int dim, double eps, ParamTree p) {
        if (dim <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("a LayerNorm needs a positive width and epsilon, got " + dim + " and "
                    + eps + " at " + p.fullName("weight"));
        }
        this.normalizedShape = new long[] {dim};
        this.eps = eps;
        this.weight = p.param("weight", dim);
        this.bias = p.param("bias", dim);
    }

    /** Normalises the last dimension of {@code x} (any leading shape), in the weight's dtype. */
    public Tensor forward(Tensor x) {
        if (x.scalar_type().intern() != weight.scalar_type().intern()) {
            x = x.to(weight.scalar_type());
        }
        return layer_norm(x, normalizedShape, new TensorOptional(weight), new TensorOptional(bias), eps, false);
    }

    public double eps() {
        return eps;
    }
}
