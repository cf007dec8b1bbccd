package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.linear;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** transformers/models/bert/modeling_bert.py::BertOutput: {@code LayerNorm(dense(intermediate) + attention)}. */
public final class BertOutput {
    private final BertConfig cfg;
    private final Tensor denseWeight;
    private final Tensor denseBias;
    private final Tensor layerNormWeight;
    private final Tensor layerNormBias;

    public BertOutput(BertConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int h = cfg.hiddenSize();
        this.denseWeight = p.param("dense.weight", h, cfg.intermediateSize());
        this.denseBias = p.param("dense.bias", h);
        this.layerNormWeight = p.param("LayerNorm.weight", h);
        this.layerNormBias = p.param("LayerNorm.bias", h);
    }

    /**
     * @param intermediate (B, n, intermediate)
     * @param attentionOutput (B, n, H) residual
     * @return (B, n, H)
     */
    public Tensor forward(Tensor intermediate, Tensor attentionOutput) {
        Tensor x = linear(intermediate, denseWeight, new TensorOptional(denseBias)); // (B, n, H)
        return layer_norm(x.add(attentionOutput), new long[] {cfg.hiddenSize()}, new TensorOptional(layerNormWeight),
                new TensorOptional(layerNormBias), cfg.layerNormEps(), false);
    }
}
