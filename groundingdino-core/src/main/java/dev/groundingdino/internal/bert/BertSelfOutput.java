package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/** transformers/models/bert/modeling_bert.py::BertSelfOutput: {@code LayerNorm(dense(context) + input)}. */
public final class BertSelfOutput {
    private final Linear dense;
    private final LayerNorm layerNorm;

    public BertSelfOutput(BertConfig cfg, ParamTree p) {
        int h = cfg.hiddenSize();
        this.dense = new Linear(h, h, p.child("dense"));
        this.layerNorm = new LayerNorm(h, cfg.layerNormEps(), p.child("LayerNorm"));
    }

    /**
     * @param context (B, n, H) attention context
     * @param input (B, n, H) the attention block's input (residual)
     * @return (B, n, H)
     */
    public Tensor forward(Tensor context, Tensor input) {
        return layerNorm.forward(dense.forward(context).add_(input)); // dense(context) + input
    }
}
