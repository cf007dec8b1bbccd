package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.layer_norm;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * {@code torch.nn.LayerNorm(dim)} over the last dimension with the default eps 1e-5 and an affine
 * {@code weight}/{@code bias}: every norm of the Swin backbone ({@code norm1}, {@code norm2}, {@code patch_embed.norm},
 * {@code downsample.norm}, {@code norm<i>}).
 */
final class LayerNorm {
    /** {@code torch.nn.LayerNorm}'s default epsilon, which the reference never overrides in the backbone. */
    static final double EPS = 1e-5;

    private final long[] normalizedShape;
    private final Tensor weight;
    private final Tensor bias;

    LayerNorm(int dim, ParamTree p) {
        this.normalizedShape = new long[] {dim};
        this.weight = p.param("weight", dim);
        this.bias = p.param("bias", dim);
    }

    /** Normalises the last dimension of {@code x} (any leading shape). */
    Tensor forward(Tensor x) {
        return layer_norm(x, normalizedShape, new TensorOptional(weight), new TensorOptional(bias), EPS, false);
    }
}
