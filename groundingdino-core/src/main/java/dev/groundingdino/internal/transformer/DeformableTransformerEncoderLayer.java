package dev.groundingdino.internal.transformer;

import dev.groundingdino.internal.deformable.MSDeformAttn;
import dev.groundingdino.internal.deformable.MSDeformAttnConfig;
import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * transformer.py::DeformableTransformerEncoderLayer: post-norm deformable self-attention over the image tokens
 * ({@code src = norm1(src + self_attn(q = src + pos, value = src))}) followed by a post-norm FFN
 * ({@code norm2(src + linear2(act(linear1(src))))}). Checkpoint prefix {@code transformer.encoder.layers.{i}.}.
 */
public final class DeformableTransformerEncoderLayer {
    private final MSDeformAttn selfAttn;
    private final LayerNorm norm1;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm2;
    private final TransformerConfig.Activation activation;

    public DeformableTransformerEncoderLayer(TransformerConfig cfg, ParamTree p) {
        int d = cfg.dModel();
        this.selfAttn = new MSDeformAttn(
                new MSDeformAttnConfig(d, cfg.nHeads(), cfg.numFeatureLevels(), cfg.encNPoints()), p.child("self_attn"));
        this.norm1 = new LayerNorm(d, p.child("norm1"));
        this.linear1 = new Linear(d, cfg.dimFeedforward(), p.child("linear1"));
        this.linear2 = new Linear(cfg.dimFeedforward(), d, p.child("linear2"));
        this.norm2 = new LayerNorm(d, p.child("norm2"));
        this.activation = cfg.activation();
    }

    /**
     * @param src (B, S, C) image tokens
     * @param pos (B, S, C) position embedding (with level embedding)
     * @param referencePoints (B, S, L, 2) normalised reference points per level
     * @param shapes the levels of the token sequence
     * @param keyPaddingMask (B, S) bool, true on padding, or null
     * @return (B, S, C)
     */
    public Tensor forward(Tensor src, Tensor pos, Tensor referencePoints, SpatialShapes shapes,
            Tensor keyPaddingMask) {
        Tensor src2 = selfAttn.forward(src.add(pos), src, keyPaddingMask, referencePoints, shapes); // (B, S, C)
        src = norm1.forward(src.add(src2));
        Tensor ffn = linear2.forward(Activations.apply(activation, linear1.forward(src))); // (B, S, C)
        return norm2.forward(src.add(ffn));
    }
}
