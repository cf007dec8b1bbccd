package dev.groundingdino.internal.transformer;

import dev.groundingdino.internal.deformable.MSDeformAttn;
import dev.groundingdino.internal.deformable.MSDeformAttnConfig;
import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.nn.MultiheadAttention;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * transformer.py::DeformableTransformerDecoderLayer (checkpoint prefix {@code transformer.decoder.layers.{i}.}),
 * all post-norm: self-attention ({@code q = k = tgt + query_pos}, {@code v = tgt}) then {@code norm2}; text
 * cross-attention {@code ca_text} ({@code q = tgt + query_pos}, {@code k = v = memory_text}, key padding
 * {@code ~text_token_mask}) then {@code catext_norm}; deformable cross-attention {@code cross_attn} over the image
 * memory (query {@code tgt + query_pos}, 4-d reference boxes) then {@code norm1}; FFN then {@code norm3}.
 */
public final class DeformableTransformerDecoderLayer {
    private final MSDeformAttn crossAttn;
    private final LayerNorm norm1;
    private final MultiheadAttention caText; // null without text cross-attention
    private final LayerNorm catextNorm;
    private final MultiheadAttention selfAttn;
    private final LayerNorm norm2;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm3;
    private final TransformerConfig.Activation activation;

    public DeformableTransformerDecoderLayer(TransformerConfig cfg, ParamTree p) {
        int d = cfg.dModel();
        this.crossAttn = new MSDeformAttn(
                new MSDeformAttnConfig(d, cfg.nHeads(), cfg.numFeatureLevels(), cfg.decNPoints()), p.child("cross_attn"));
        this.norm1 = new LayerNorm(d, p.child("norm1"));
        if (cfg.useTextCrossAttention()) {
            this.caText = new MultiheadAttention(d, cfg.nHeads(), p.child("ca_text"));
            this.catextNorm = new LayerNorm(d, p.child("catext_norm"));
        } else {
            this.caText = null;
            this.catextNorm = null;
        }
        this.selfAttn = new MultiheadAttention(d, cfg.nHeads(), p.child("self_attn"));
        this.norm2 = new LayerNorm(d, p.child("norm2"));
        this.linear1 = new Linear(d, cfg.dimFeedforward(), p.child("linear1"));
        this.linear2 = new Linear(cfg.dimFeedforward(), d, p.child("linear2"));
        this.norm3 = new LayerNorm(d, p.child("norm3"));
        this.activation = cfg.activation();
    }

    /**
     * @param tgt (B, Q, C) queries
     * @param queryPos (B, Q, C) query position embedding
     * @param referencePoints (B, Q, L, 4) reference boxes per level (sigmoid space, times valid ratios)
     * @param memoryText (B, n, C) text memory
     * @param textPaddingMask (B, n) bool, true on padding tokens
     * @param memory (B, S, C) image memory
     * @param memoryPaddingMask (B, S) bool, true on padding
     * @param shapes the levels of {@code memory}
     * @return (B, Q, C), before the decoder's final norm
     */
    public Tensor forward(Tensor tgt, Tensor queryPos, Tensor referencePoints, Tensor memoryText,
            Tensor textPaddingMask, Tensor memory, Tensor memoryPaddingMask, SpatialShapes shapes) {
        Tensor q = tgt.add(queryPos); // (B, Q, C)
        tgt = norm2.forward(selfAttn.forward(q, q, tgt, null, null).add_(tgt)); // (B, Q, C)
        if (caText != null) {
            Tensor tgt2 = caText.forward(tgt.add(queryPos), memoryText, memoryText, null, textPaddingMask); // (B,Q,C)
            tgt = catextNorm.forward(tgt2.add_(tgt));
        }
        Tensor tgt2 = crossAttn.forward(tgt.add(queryPos), memory, memoryPaddingMask, referencePoints, shapes);
        tgt = norm1.forward(tgt2.add_(tgt));
        Tensor ffn = linear2.forward(Activations.applyInPlace(activation, linear1.forward(tgt))); // (B, Q, C)
        return norm3.forward(ffn.add_(tgt));
    }
}
