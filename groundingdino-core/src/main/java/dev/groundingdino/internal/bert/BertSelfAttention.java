package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.nn.Attention;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * transformers/models/bert/modeling_bert.py::BertSelfAttention (v4.29, absolute positions, no cache): scaled
 * dot-product attention with scores divided by {@code sqrt(head_dim)} and an additive mask added before softmax,
 * evaluated by libtorch's fused {@code scaled_dot_product_attention} (same arithmetic up to float rounding).
 */
public final class BertSelfAttention {
    private final BertConfig cfg;
    private final Linear query;
    private final Linear key;
    private final Linear value;

    public BertSelfAttention(BertConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int h = cfg.hiddenSize();
        this.query = new Linear(h, h, p.child("query"));
        this.key = new Linear(h, h, p.child("key"));
        this.value = new Linear(h, h, p.child("value"));
    }

    /**
     * @param hidden (B, n, H)
     * @param additiveMask (B, 1, n, n) float, 0 where attention is allowed and a large negative value elsewhere
     * @return the context (B, n, H), heads concatenated
     */
    public Tensor forward(Tensor hidden, Tensor additiveMask) {
        long b = hidden.size(0);
        long n = hidden.size(1);
        Tensor q = heads(query.forward(hidden), b, n); // (B, h, n, hd)
        Tensor k = heads(key.forward(hidden), b, n); // (B, h, n, hd)
        Tensor v = heads(value.forward(hidden), b, n); // (B, h, n, hd)
        Tensor context = Attention.scaledDotProduct(q, k, v, additiveMask,
                1.0 / Math.sqrt(cfg.headDim())); // (B, h, n, hd)
        return context.transpose(1, 2).reshape(b, n, cfg.hiddenSize()); // (B, n, H)
    }

    private Tensor heads(Tensor x, long b, long n) {
        return x.view(b, n, cfg.numAttentionHeads(), cfg.headDim()).transpose(1, 2); // (B, h, n, hd)
    }
}
