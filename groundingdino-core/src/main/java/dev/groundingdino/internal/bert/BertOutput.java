package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/** transformers/models/bert/modeling_bert.py::BertOutput: {@code LayerNorm(dense(intermediate) + attention)}. */
public final class BertOutput {
    private final Linear dense;
    private final LayerNorm layerNorm;

    public BertOutput(BertConfig cfg, ParamTree p) {
        int h = cfg.hiddenSize();
        this.dense = new Linear(cfg.intermediateSize(), h, p.child("dense"));
        this.layerNorm = new LayerNorm(h, cfg.layerNormEps(), p.child("LayerNorm"));
    }

    /**
     * @param intermediate (B, n, intermediate)
     * @param attentionOutput (B, n, H) residual
     * @return (B, n, H)
     */
    public Tensor forward(Tensor intermediate, Tensor attentionOutput) {
        return layerNorm.forward(dense.forward(intermediate).add_(attentionOutput)); // dense(x) + attention
    }
}
