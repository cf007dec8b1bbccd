package dev.groundingdino.sam.internal.common;

import static org.bytedeco.pytorch.global.torch.linear;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * {@code torch.nn.Linear} as used throughout segment-anything: {@code y = x W^T + b} with parameters
 * {@code weight} [out, in] and {@code bias} [out].
 */
public final class Linear {
    private final Tensor weight;
    private final Tensor bias;

    /** Declares/loads {@code weight} [out, in] and {@code bias} [out] under {@code p}. */
    public Linear(ParamTree p, int in, int out) {
        this.weight = p.param("weight", out, in);
        this.bias = p.param("bias", out);
    }

    /** {@code (..., in) -> (..., out)}. */
    public Tensor forward(Tensor x) {
        return linear(x, weight, new TensorOptional(bias));
    }
}
