package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.sam2.sam.RoPEAttention;

/**
 * {@code sam2/modeling/memory_attention.py::MemoryAttentionLayer}: RoPE self-attention ({@code self_attn}), RoPE
 * cross-attention to the 64-d memories ({@code cross_attn_image}), a ReLU feed-forward ({@code linear1},
 * {@code linear2}) and three LayerNorms. Video only: the weights are declared and loaded (strict key checking, and
 * kept for the video path), there is no forward yet.
 */
public final class MemoryAttentionLayer {
    private final RoPEAttention selfAttn;
    private final RoPEAttention crossAttnImage;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;

    /** Declares/loads the layer under {@code p} ({@code memory_attention.layers.i}), in state_dict order. */
    public MemoryAttentionLayer(ParamTree p, int dModel, int dimFeedforward, int kvInDim) {
        this.selfAttn = new RoPEAttention(p.child("self_attn"), dModel, 1, 1, dModel);
        this.crossAttnImage = new RoPEAttention(p.child("cross_attn_image"), dModel, 1, 1, kvInDim);
        this.linear1 = new Linear(dModel, dimFeedforward, p.child("linear1"));
        this.linear2 = new Linear(dimFeedforward, dModel, p.child("linear2"));
        this.norm1 = new LayerNorm(dModel, p.child("norm1"));
        this.norm2 = new LayerNorm(dModel, p.child("norm2"));
        this.norm3 = new LayerNorm(dModel, p.child("norm3"));
    }

    RoPEAttention selfAttn() {
        return selfAttn;
    }

    RoPEAttention crossAttnImage() {
        return crossAttnImage;
    }

    Linear linear1() {
        return linear1;
    }

    Linear linear2() {
        return linear2;
    }

    LayerNorm[] norms() {
        return new LayerNorm[] {norm1, norm2, norm3};
    }
}
