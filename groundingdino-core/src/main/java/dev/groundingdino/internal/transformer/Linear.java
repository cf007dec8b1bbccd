package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.linear;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** torch.nn.Linear: {@code weight [out, in]} and {@code bias [out]}, applied to the last dimension. */
public final class Linear {
    private final Tensor weight;
    private final Tensor bias;

    /** Declares/loads {@code weight} and {@code bias} under {@code p}. */
    public Linear(int inFeatures, int outFeatures, ParamTree p) {
        this.weight = p.param("weight", outFeatures, inFeatures);
        this.bias = p.param("bias", outFeatures);
    }

    /** {@code x @ weight^T + bias}. */
    public Tensor forward(Tensor x) {
        return linear(x, weight, new TensorOptional(bias));
    }
}
