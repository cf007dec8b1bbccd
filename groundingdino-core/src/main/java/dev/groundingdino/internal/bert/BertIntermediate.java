package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.gelu_;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/** transformers/models/bert/modeling_bert.py::BertIntermediate: {@code gelu(dense(x))} with the exact erf GELU. */
public final class BertIntermediate {
    private final Linear dense;

    public BertIntermediate(BertConfig cfg, ParamTree p) {
        this.dense = new Linear(cfg.hiddenSize(), cfg.intermediateSize(), p.child("dense"));
    }

    /**
     * @param hidden (B, n, H)
     * @return (B, n, intermediate)
     */
    public Tensor forward(Tensor hidden) {
        return gelu_(dense.forward(hidden)); // (B, n, I), GELU in place on the fresh product
    }
}
