package dev.groundingdino.sam.internal.common;

import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.relu;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code segment_anything/modeling/common.py::MLPBlock}: {@code lin2(act(lin1(x)))}. The image encoder uses the
 * exact (erf) GELU, the two-way transformer ReLU.
 */
public final class MLPBlock {
    /** The activation between the two linear layers. */
    public enum Activation {
        /** {@code nn.GELU()} (exact erf form). */
        GELU,
        /** {@code nn.ReLU}. */
        RELU
    }

    private final Linear lin1;
    private final Linear lin2;
    private final Activation act;

    /** Declares/loads {@code lin1} [mlpDim, dim] and {@code lin2} [dim, mlpDim]. */
    public MLPBlock(ParamTree p, int embeddingDim, int mlpDim, Activation act) {
        this.lin1 = new Linear(p.child("lin1"), embeddingDim, mlpDim);
        this.lin2 = new Linear(p.child("lin2"), mlpDim, embeddingDim);
        this.act = act;
    }

    /** {@code (..., dim) -> (..., dim)}. */
    public Tensor forward(Tensor x) {
        Tensor h = lin1.forward(x);
        h = act == Activation.GELU ? gelu(h) : relu(h);
        return lin2.forward(h);
    }
}
