package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.tanh;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * transformers/models/bert/modeling_bert.py::BertPooler: {@code tanh(dense(hidden[:, 0]))}.
 *
 * <p>Its weights are part of every GroundingDINO checkpoint, so they are declared, but GroundingDINO never uses
 * the pooled output; {@link BertModelWarper#forward} therefore does not run it.
 */
public final class BertPooler {
    private final Linear dense;

    public BertPooler(BertConfig cfg, ParamTree p) {
        this.dense = new Linear(cfg.hiddenSize(), cfg.hiddenSize(), p.child("dense"));
    }

    /**
     * @param hidden (B, n, H) last hidden state
     * @return the pooled first token (B, H)
     */
    public Tensor forward(Tensor hidden) {
        return tanh(dense.forward(hidden.select(1, 0))); // (B, H)
    }
}
