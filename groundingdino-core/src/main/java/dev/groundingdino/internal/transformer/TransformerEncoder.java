package dev.groundingdino.internal.transformer;

import dev.groundingdino.internal.bert.SinePosEmbed;
import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.fusion.BiAttentionBlock;
import dev.groundingdino.internal.fusion.BiAttentionConfig;
import dev.groundingdino.internal.fusion.VisionLanguage;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.internal.runtime.TensorCache;
import java.util.function.BiFunction;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * transformer.py::TransformerEncoder (checkpoint prefix {@code transformer.encoder.}): per layer {@code i}, the
 * image-text fusion {@code fusion_layers.i} ({@link BiAttentionBlock}), the text enhancer {@code text_layers.i}
 * ({@link TransformerEncoderLayer}, text position embedding {@code get_sine_pos_embed(position_ids, 256)}, mask
 * {@code ~text_self_attention_masks}) and the deformable image layer {@code layers.i}
 * ({@link DeformableTransformerEncoderLayer}, reference points = token centres times valid ratios).
 */
public final class TransformerEncoder {
    /** The encoder's outputs: image memory (B, S, C) and text memory (B, n, C). */
    public record Output(Tensor memory, Tensor memoryText) {}

    private final DeformableTransformerEncoderLayer[] layers;
    private final TransformerEncoderLayer[] textLayers; // null without text enhancer
    private final BiAttentionBlock[] fusionLayers; // null without fusion
    private final Tensor textDimT; // (256) float32 on the model's device; null in declare mode
    private final TensorCache sizeCache; // the model's per-size cache

    public TransformerEncoder(TransformerConfig cfg, ParamTree p) {
        this.sizeCache = p.sizeCache();
        int n = cfg.encLayers();
        this.layers = new DeformableTransformerEncoderLayer[n];
        ParamTree lp = p.child("layers");
        for (int i = 0; i < n; i++) {
            layers[i] = new DeformableTransformerEncoderLayer(cfg, lp.child(i));
        }
        if (cfg.useTextEnhancer()) {
            TransformerEncoderLayer.Config tc = TransformerEncoderLayer.Config.textEnhancer(cfg.dModel(), cfg.nHeads(),
                    cfg.dimFeedforward());
            this.textLayers = new TransformerEncoderLayer[n];
            ParamTree tp = p.child("text_layers");
            for (int i = 0; i < n; i++) {
                textLayers[i] = new TransformerEncoderLayer(tc, tp.child(i));
            }
        } else {
            this.textLayers = null;
        }
        if (cfg.useFusionLayer()) {
            BiAttentionConfig fc = BiAttentionConfig.forEncoder(cfg.dModel(), cfg.nHeads(), cfg.dimFeedforward());
            this.fusionLayers = new BiAttentionBlock[n];
            ParamTree fp = p.child("fusion_layers");
            for (int i = 0; i < n; i++) {
                fusionLayers[i] = new BiAttentionBlock(fc, fp.child(i));
            }
        } else {
            this.fusionLayers = null;
        }
        this.textDimT = p.placement() == null || textLayers == null ? null
                : p.constant(() -> SinePosEmbed.textDimT(p.placement().options(ScalarType.Float)));
    }

    /**
     * The reference points of an unpadded batch (every valid ratio 1): a per-size constant, computed once per size
     * (as {@link TransformerUtils#encoderReferencePoints} of one image) and expanded over the batch.
     */
    private Tensor unpaddedReferencePoints(SpatialShapes shapes, Tensor validRatios) {
        long b = validRatios.size(0);
        Tensor one = sizeCache.getOne(new ReferenceKey(shapes, validRatios.device().str().getString()),
                () -> TransformerUtils.encoderReferencePoints(shapes, validRatios.narrow(0, 0, 1))); // (1, S, L, 2)
        return b == 1 ? one : one.expand(b, -1, -1, -1); // (B, S, L, 2)
    }

    /** Cache key of the reference points of an unpadded size. */
    private record ReferenceKey(SpatialShapes shapes, String device) {}

    /**
     * @param src (B, S, C) flattened image tokens
     * @param pos (B, S, C) their position embedding (with level embedding)
     * @param shapes the levels
     * @param validRatios (B, L, 2)
     * @param keyPaddingMask (B, S) bool, true on padding; null for an unpadded batch
     * @param memoryText (B, n, C) encoded text
     * @param textPaddingMask (B, n) bool, true on padding tokens ({@code ~text_token_mask})
     * @param textSelfAttentionMasks (B, n, n) bool, true = may attend
     * @param positionIds (B, n) int64 sub-sentence position ids
     * @param trace receives {@code enc{i}_fusion_v/_fusion_l/_text/_deform}, or null
     */
    public Output forward(Tensor src, Tensor pos, SpatialShapes shapes, Tensor validRatios, Tensor keyPaddingMask,
            Tensor memoryText, Tensor textPaddingMask, Tensor textSelfAttentionMasks, Tensor positionIds,
            Trace trace) {
        Tensor referencePoints = keyPaddingMask != null
                ? TransformerUtils.encoderReferencePoints(shapes, validRatios) // (B, S, L, 2)
                : unpaddedReferencePoints(shapes, validRatios); // (B, S, L, 2)
        Tensor posText = null;
        Tensor textBlocked = null;
        if (textLayers != null) {
            posText = (textDimT != null ? SinePosEmbed.textPositionEmbedding(positionIds, textDimT)
                    : SinePosEmbed.textPositionEmbedding(positionIds)).to(memoryText.scalar_type()); // (B, n, 256)
            textBlocked = textSelfAttentionMasks.logical_not(); // (B, n, n)
        }
        Tensor posT = posText;
        Tensor blocked = textBlocked;
        BiFunction<Integer, Output, Output> layer = (i, state) -> layer(i, state, pos, referencePoints, shapes,
                keyPaddingMask, textPaddingMask, blocked, posT, trace);
        Output initial = new Output(src, memoryText);
        if (Trace.keeps(trace)) { // the trace reads every layer's outputs later: keep them all
            Output state = initial;
            for (int i = 0; i < layers.length; i++) {
                state = layer.apply(i, state);
            }
            return state;
        }
        // each layer's outputs are freed as soon as the next layer has consumed them
        return Scopes.chain(initial, layers.length, layer, o -> new Tensor[] {o.memory(), o.memoryText()});
    }

    /** Encoder layer {@code i}: fusion, text enhancer, deformable image layer, each in a nested scope. */
    private Output layer(int i, Output state, Tensor pos, Tensor referencePoints, SpatialShapes shapes,
            Tensor keyPaddingMask, Tensor textPaddingMask, Tensor textBlocked, Tensor posText, Trace trace) {
        Tensor output = state.memory();
        Tensor memoryText = state.memoryText();
        if (fusionLayers != null) {
            Tensor v = output;
            Tensor l = memoryText;
            VisionLanguage fused = Scopes.keep(() -> fusionLayers[i].forward(v, l, keyPaddingMask, textPaddingMask),
                    r -> new Tensor[] {r.v(), r.l()});
            output = fused.v();
            memoryText = fused.l();
            Trace.record(trace, "enc" + i + "_fusion_v", output);
            Trace.record(trace, "enc" + i + "_fusion_l", memoryText);
        }
        if (textLayers != null) {
            Tensor l = memoryText;
            memoryText = Scopes.tensor(() -> textLayers[i].forward(l, textBlocked, posText));
            Trace.record(trace, "enc" + i + "_text", memoryText);
        }
        Tensor v = output;
        output = Scopes.tensor(() -> layers[i].forward(v, pos, referencePoints, shapes, keyPaddingMask));
        Trace.record(trace, "enc" + i + "_deform", output);
        return new Output(output, memoryText);
    }
}
