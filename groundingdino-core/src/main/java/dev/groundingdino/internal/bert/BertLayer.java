package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * transformers/models/bert/modeling_bert.py::BertLayer (encoder-only, no chunking): attention, then the GELU
 * feed-forward {@code intermediate} and {@code output}, both post-norm.
 */
public final class BertLayer {
    private final BertAttention attention;
    private final BertIntermediate intermediate;
    private final BertOutput output;

    public BertLayer(BertConfig cfg, ParamTree p) {
        this.attention = new BertAttention(cfg, p.child("attention"));
        this.intermediate = new BertIntermediate(cfg, p.child("intermediate"));
        this.output = new BertOutput(cfg, p.child("output"));
    }

    /**
     * @param hidden (B, n, H)
     * @param additiveMask (B, 1, n, n)
     * @return (B, n, H)
     */
    public Tensor forward(Tensor hidden, Tensor additiveMask) {
        Tensor attended = attention.forward(hidden, additiveMask);
        return output.forward(intermediate.forward(attended), attended);
    }
}
