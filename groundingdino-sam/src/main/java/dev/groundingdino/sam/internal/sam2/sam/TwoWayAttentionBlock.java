package dev.groundingdino.sam.internal.sam2.sam;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.sam2.layers.MLP;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/sam/transformer.py::TwoWayAttentionBlock}: (1) token self-attention, (2) tokens attend to the
 * image, (3) ReLU {@link MLP} ({@code mlp.layers.0/1}) on the tokens, (4) the image attends to the tokens; each
 * followed by a residual and a LayerNorm (eps 1e-5). The first block's self-attention uses no positional encoding
 * and replaces the queries instead of adding a residual ({@code skip_first_layer_pe}).
 */
public final class TwoWayAttentionBlock {
    /** Updated tokens (B, N, C) and image tokens (B, HW, C). */
    public record Output(Tensor queries, Tensor keys) {}

    private final Attention selfAttn;
    private final LayerNorm norm1;
    private final Attention crossAttnTokenToImage;
    private final LayerNorm norm2;
    private final MLP mlp;
    private final LayerNorm norm3;
    private final LayerNorm norm4;
    private final Attention crossAttnImageToToken;
    private final boolean skipFirstLayerPe;

    /** Declares/loads the block under {@code p} ({@code transformer.layers.i}), in state_dict order. */
    public TwoWayAttentionBlock(ParamTree p, int dim, int numHeads, int mlpDim, int downsampleRate,
            boolean skipFirstLayerPe) {
        this.selfAttn = new Attention(p.child("self_attn"), dim, numHeads, 1);
        this.norm1 = new LayerNorm(dim, p.child("norm1"));
        this.crossAttnTokenToImage = new Attention(p.child("cross_attn_token_to_image"), dim, numHeads,
                downsampleRate);
        this.norm2 = new LayerNorm(dim, p.child("norm2"));
        this.mlp = new MLP(p.child("mlp"), dim, mlpDim, dim, 2);
        this.norm3 = new LayerNorm(dim, p.child("norm3"));
        this.norm4 = new LayerNorm(dim, p.child("norm4"));
        this.crossAttnImageToToken = new Attention(p.child("cross_attn_image_to_token"), dim, numHeads,
                downsampleRate);
        this.skipFirstLayerPe = skipFirstLayerPe;
    }

    /**
     * @param queries tokens (B, N, C)
     * @param keys image tokens (B, HW, C)
     * @param queryPe the initial tokens, used as their positional encoding (B, N, C)
     * @param keyPe the dense image positional encoding (B, HW, C)
     */
    public Output forward(Tensor queries, Tensor keys, Tensor queryPe, Tensor keyPe) {
        if (skipFirstLayerPe) {
            queries = selfAttn.forward(queries, queries, queries); // (B, N, C)
        } else {
            Tensor q = queries.add(queryPe);
            queries = queries.add(selfAttn.forward(q, q, queries)); // (B, N, C)
        }
        queries = norm1.forward(queries);

        Tensor q = queries.add(queryPe);
        Tensor k = keys.add(keyPe);
        queries = norm2.forward(queries.add(crossAttnTokenToImage.forward(q, k, keys))); // (B, N, C)

        queries = norm3.forward(queries.add(mlp.forward(queries))); // (B, N, C)

        q = queries.add(queryPe);
        k = keys.add(keyPe);
        keys = norm4.forward(keys.add(crossAttnImageToToken.forward(k, q, queries))); // (B, HW, C)
        return new Output(queries, keys);
    }
}
