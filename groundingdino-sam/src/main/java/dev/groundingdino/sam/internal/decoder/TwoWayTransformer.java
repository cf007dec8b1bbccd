package dev.groundingdino.sam.internal.decoder;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.internal.nn.LayerNorm;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code segment_anything/modeling/transformer.py::TwoWayTransformer}: {@code depth} {@link TwoWayAttentionBlock}s
 * between the prompt tokens and the image tokens, then a final token-to-image attention
 * ({@code final_attn_token_to_image}) with residual and {@code norm_final_attn}.
 */
public final class TwoWayTransformer {
    private final List<TwoWayAttentionBlock> layers;
    private final Attention finalAttnTokenToImage;
    private final LayerNorm normFinalAttn;

    /** Declares/loads the transformer under {@code p} ({@code mask_decoder.transformer}). */
    public TwoWayTransformer(SamConfig cfg, ParamTree p) {
        List<TwoWayAttentionBlock> list = new ArrayList<>();
        ParamTree layerTree = p.child("layers");
        for (int i = 0; i < cfg.decoderDepth(); i++) {
            list.add(new TwoWayAttentionBlock(cfg, layerTree.child(i), i == 0));
        }
        this.layers = List.copyOf(list);
        this.finalAttnTokenToImage = new Attention(p.child("final_attn_token_to_image"), cfg.promptEmbedDim(),
                cfg.decoderNumHeads(), cfg.attentionDownsampleRate());
        this.normFinalAttn = new LayerNorm(cfg.promptEmbedDim(), SamConfig.DECODER_NORM_EPS,
                p.child("norm_final_attn"));
    }

    /**
     * @param imageEmbedding (B, C, h, w)
     * @param imagePe (B, C, h, w)
     * @param pointEmbedding tokens (B, N, C)
     * @return processed tokens (B, N, C) and image tokens (B, hw, C)
     */
    public TwoWayAttentionBlock.Output forward(Tensor imageEmbedding, Tensor imagePe, Tensor pointEmbedding) {
        Tensor keys = imageEmbedding.flatten(2, -1).permute(0, 2, 1); // (B, hw, C)
        Tensor keyPe = imagePe.flatten(2, -1).permute(0, 2, 1); // (B, hw, C)
        Tensor queries = pointEmbedding;
        for (TwoWayAttentionBlock layer : layers) {
            TwoWayAttentionBlock.Output o = layer.forward(queries, keys, pointEmbedding, keyPe);
            queries = o.queries();
            keys = o.keys();
        }
        Tensor q = queries.add(pointEmbedding);
        Tensor k = keys.add(keyPe);
        queries = normFinalAttn.forward(queries.add(finalAttnTokenToImage.forward(q, k, keys))); // (B, N, C)
        return new TwoWayAttentionBlock.Output(queries, keys);
    }
}
