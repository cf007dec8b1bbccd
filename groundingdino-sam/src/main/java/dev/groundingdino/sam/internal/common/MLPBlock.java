package dev.groundingdino.sam.internal.common;

import static org.bytedeco.pytorch.global.torch.gelu_;
import static org.bytedeco.pytorch.global.torch.relu_;

import dev.groundingdino.internal.nn.Linear;
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
        this.lin1 = new Linear(embeddingDim, mlpDim, p.child("lin1"));
        this.lin2 = new Linear(mlpDim, embeddingDim, p.child("lin2"));
        this.act = act;
    }

    /** {@code (..., dim) -> (..., dim)}. */
    public Tensor forward(Tensor x) {
        Tensor h = lin1.forward(x);
        h = act == Activation.GELU ? gelu_(h) : relu_(h); // in place on the fresh lin1 output
        return lin2.forward(h);
    }
}
