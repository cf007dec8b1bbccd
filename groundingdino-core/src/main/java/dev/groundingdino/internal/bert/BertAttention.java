package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/** transformers/models/bert/modeling_bert.py::BertAttention: {@code self} attention then {@code output}. */
public final class BertAttention {
    private final BertSelfAttention self;
    private final BertSelfOutput output;

    public BertAttention(BertConfig cfg, ParamTree p) {
        this.self = new BertSelfAttention(cfg, p.child("self"));
        this.output = new BertSelfOutput(cfg, p.child("output"));
    }

    /**
     * @param hidden (B, n, H)
     * @param additiveMask (B, 1, n, n)
     * @return (B, n, H)
     */
    public Tensor forward(Tensor hidden, Tensor additiveMask) {
        return output.forward(self.forward(hidden, additiveMask), hidden);
    }
}
