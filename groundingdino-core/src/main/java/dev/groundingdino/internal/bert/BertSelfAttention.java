package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.softmax;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * transformers/models/bert/modeling_bert.py::BertSelfAttention (v4.29, absolute positions, no cache): scaled
 * dot-product attention with scores divided by {@code sqrt(head_dim)} and an additive mask added before softmax.
 */
public final class BertSelfAttention {
    private final BertConfig cfg;
    private final Tensor queryWeight;
    private final Tensor queryBias;
    private final Tensor keyWeight;
    private final Tensor keyBias;
    private final Tensor valueWeight;
    private final Tensor valueBias;

    public BertSelfAttention(BertConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int h = cfg.hiddenSize();
        this.queryWeight = p.param("query.weight", h, h);
        this.queryBias = p.param("query.bias", h);
        this.keyWeight = p.param("key.weight", h, h);
        this.keyBias = p.param("key.bias", h);
        this.valueWeight = p.param("value.weight", h, h);
        this.valueBias = p.param("value.bias", h);
    }

    /**
     * @param hidden (B, n, H)
     * @param additiveMask (B, 1, n, n) float, 0 where attention is allowed and a large negative value elsewhere
     * @return the context (B, n, H), heads concatenated
     */
    public Tensor forward(Tensor hidden, Tensor additiveMask) {
        long b = hidden.size(0);
        long n = hidden.size(1);
        Tensor q = heads(linear(hidden, queryWeight, new TensorOptional(queryBias)), b, n); // (B, h, n, hd)
        Tensor k = heads(linear(hidden, keyWeight, new TensorOptional(keyBias)), b, n); // (B, h, n, hd)
        Tensor v = heads(linear(hidden, valueWeight, new TensorOptional(valueBias)), b, n); // (B, h, n, hd)
        Tensor scores = matmul(q, k.transpose(-1, -2)); // (B, h, n, n)
        scores = scores.div(new Scalar(Math.sqrt(cfg.headDim())));
        scores = scores.add(additiveMask); // (B, h, n, n)
        Tensor probs = softmax(scores, -1);
        Tensor context = matmul(probs, v); // (B, h, n, hd)
        return context.permute(0, 2, 1, 3).contiguous().view(b, n, cfg.hiddenSize()); // (B, n, H)
    }

    private Tensor heads(Tensor x, long b, long n) {
        return x.view(b, n, cfg.numAttentionHeads(), cfg.headDim()).permute(0, 2, 1, 3); // (B, h, n, hd)
    }
}
