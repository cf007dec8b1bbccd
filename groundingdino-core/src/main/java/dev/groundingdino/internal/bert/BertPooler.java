package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.tanh;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * transformers/models/bert/modeling_bert.py::BertPooler: {@code tanh(dense(hidden[:, 0]))}.
 *
 * <p>Its weights are part of every GroundingDINO checkpoint, so they are declared, but GroundingDINO never uses
 * the pooled output; {@link BertModelWarper#forward} therefore does not run it.
 */
public final class BertPooler {
    private final Tensor denseWeight;
    private final Tensor denseBias;

    public BertPooler(BertConfig cfg, ParamTree p) {
        this.denseWeight = p.param("dense.weight", cfg.hiddenSize(), cfg.hiddenSize());
        this.denseBias = p.param("dense.bias", cfg.hiddenSize());
    }

    /**
     * @param hidden (B, n, H) last hidden state
     * @return the pooled first token (B, H)
     */
    public Tensor forward(Tensor hidden) {
        Tensor first = hidden.select(1, 0); // (B, H)
        return tanh(linear(first, denseWeight, new TensorOptional(denseBias))); // (B, H)
    }
}
