package dev.groundingdino.internal.transformer;

import dev.groundingdino.internal.deformable.MSDeformAttn;
import dev.groundingdino.internal.deformable.MSDeformAttnConfig;
import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import org.bytedeco.pytorch.Tensor;

/**
 * transformer.py::DeformableTransformerEncoderLayer: post-norm deformable self-attention over the image tokens
 * ({@code src = norm1(src + self_attn(q = src + pos, value = src))}) followed by a post-norm FFN
 * ({@code norm2(src + linear2(act(linear1(src))))}). Checkpoint prefix {@code transformer.encoder.layers.{i}.}.
 *
 * <p>Everything after the value projection works on each token separately, so the tokens are processed in chunks of
 * {@link #DEFAULT_TOKEN_CHUNK} tokens over the whole batch (each chunk in a nested scope): at 800x1065 this bounds
 * the FFN's (tokens, 2048) intermediate to 32 MiB instead of 145 MiB, with the same result.
 */
public final class DeformableTransformerEncoderLayer {
    /** Tokens per chunk of the per-token half of the layer. */
    static final int DEFAULT_TOKEN_CHUNK = 4096;

    private final MSDeformAttn selfAttn;
    private final LayerNorm norm1;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm2;
    private final TransformerConfig.Activation activation;
    private final int tokenChunk;

    public DeformableTransformerEncoderLayer(TransformerConfig cfg, ParamTree p) {
        this(cfg, p, DEFAULT_TOKEN_CHUNK);
    }

    DeformableTransformerEncoderLayer(TransformerConfig cfg, ParamTree p, int tokenChunk) {
        if (tokenChunk < 1) {
            throw new IllegalArgumentException("tokenChunk must be positive, got " + tokenChunk);
        }
        int d = cfg.dModel();
        this.selfAttn = new MSDeformAttn(
                new MSDeformAttnConfig(d, cfg.nHeads(), cfg.numFeatureLevels(), cfg.encNPoints()),
                p.child("self_attn"));
        this.norm1 = new LayerNorm(d, p.child("norm1"));
        this.linear1 = new Linear(d, cfg.dimFeedforward(), p.child("linear1"));
        this.linear2 = new Linear(cfg.dimFeedforward(), d, p.child("linear2"));
        this.norm2 = new LayerNorm(d, p.child("norm2"));
        this.activation = cfg.activation();
        this.tokenChunk = tokenChunk;
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
        MSDeformAttn.Values values = selfAttn.values(src, keyPaddingMask, shapes); // value = src
        long s = src.size(1);
        long chunk = Math.max(1, tokenChunk / src.size(0)); // tokens of all images of the batch per chunk
        if (s <= chunk) {
            return tokens(src, pos, referencePoints, values);
        }
        Tensor out = src.new_empty(src.sizes().vec().get()); // (B, S, C)
        for (long t0 = 0; t0 < s; t0 += chunk) {
            long start = t0;
            long n = Math.min(chunk, s - t0);
            Scopes.run(() -> out.narrow(1, start, n).copy_(tokens(src.narrow(1, start, n), pos.narrow(1, start, n),
                    referencePoints.narrow(1, start, n), values)));
        }
        return out;
    }

    /** The per-token half of the layer for the tokens {@code src} (B, n, C): attention, norm1, FFN, norm2. */
    private Tensor tokens(Tensor src, Tensor pos, Tensor referencePoints, MSDeformAttn.Values values) {
        Tensor src2 = selfAttn.forward(src.add(pos), referencePoints, values); // (B, n, C)
        Tensor x = norm1.forward(src2.add_(src)); // src + src2, in the attention's own output
        Tensor ffn = linear2.forward(Activations.applyInPlace(activation, linear1.forward(x))); // (B, n, C)
        return norm2.forward(ffn.add_(x)); // (B, n, C)
    }
}
