package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.linear;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** {@code torch.nn.Linear(in, out, bias)}: {@code weight [out, in]} and optionally {@code bias [out]}. */
final class Linear {
    private final Tensor weight;
    private final Tensor bias; // null when the layer has no bias (or in declare mode)

    Linear(int inFeatures, int outFeatures, boolean hasBias, ParamTree p) {
        this.weight = p.param("weight", outFeatures, inFeatures);
        this.bias = hasBias ? p.param("bias", outFeatures) : null;
    }

    /** {@code x @ weight^T + bias} over the last dimension of {@code x}. */
    Tensor forward(Tensor x) {
        return bias == null ? linear(x, weight) : linear(x, weight, new TensorOptional(bias));
    }
}
