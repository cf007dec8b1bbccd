package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.linear;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** transformers/models/bert/modeling_bert.py::BertIntermediate: {@code gelu(dense(x))} with the exact erf GELU. */
public final class BertIntermediate {
    private final Tensor denseWeight;
    private final Tensor denseBias;

    public BertIntermediate(BertConfig cfg, ParamTree p) {
        this.denseWeight = p.param("dense.weight", cfg.intermediateSize(), cfg.hiddenSize());
        this.denseBias = p.param("dense.bias", cfg.intermediateSize());
    }

    /**
     * @param hidden (B, n, H)
     * @return (B, n, intermediate)
     */
    public Tensor forward(Tensor hidden) {
        return gelu(linear(hidden, denseWeight, new TensorOptional(denseBias))); // (B, n, I)
    }
}
