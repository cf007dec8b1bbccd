package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.layer_norm;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** torch.nn.LayerNorm(dim) over the last dimension, eps 1e-5 (the reference never overrides it), affine. */
public final class LayerNorm {
    /** torch.nn.LayerNorm's default epsilon. */
    public static final double EPS = 1e-5;

    private final long[] normalizedShape;
    private final Tensor weight;
    private final Tensor bias;

    /** Declares/loads {@code weight} and {@code bias} of length {@code dim} under {@code p}. */
    public LayerNorm(int dim, ParamTree p) {
        this.normalizedShape = new long[] {dim};
        this.weight = p.param("weight", dim);
        this.bias = p.param("bias", dim);
    }

    /** Normalises the last dimension. */
    public Tensor forward(Tensor x) {
        return layer_norm(x, normalizedShape, new TensorOptional(weight), new TensorOptional(bias), EPS, false);
    }
}
