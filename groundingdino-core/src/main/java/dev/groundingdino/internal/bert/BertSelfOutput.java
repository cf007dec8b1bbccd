package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.linear;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** transformers/models/bert/modeling_bert.py::BertSelfOutput: {@code LayerNorm(dense(context) + input)}. */
public final class BertSelfOutput {
    private final BertConfig cfg;
    private final Tensor denseWeight;
    private final Tensor denseBias;
    private final Tensor layerNormWeight;
    private final Tensor layerNormBias;

    public BertSelfOutput(BertConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int h = cfg.hiddenSize();
        this.denseWeight = p.param("dense.weight", h, h);
        this.denseBias = p.param("dense.bias", h);
        this.layerNormWeight = p.param("LayerNorm.weight", h);
        this.layerNormBias = p.param("LayerNorm.bias", h);
    }

    /**
     * @param context (B, n, H) attention context
     * @param input (B, n, H) the attention block's input (residual)
     * @return (B, n, H)
     */
    public Tensor forward(Tensor context, Tensor input) {
        Tensor x = linear(context, denseWeight, new TensorOptional(denseBias)); // (B, n, H)
        return layer_norm(x.add(input), new long[] {cfg.hiddenSize()}, new TensorOptional(layerNormWeight),
                new TensorOptional(layerNormBias), cfg.layerNormEps(), false);
    }
}
