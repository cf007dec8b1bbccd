package dev.groundingdino.internal.groundingdino;

import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;

/**
 * Everything GroundingDINO inference needs to build the model (groundingdino.py::build_groundingdino arguments):
 * the backbone, text encoder and transformer configs plus the few detector-level settings.
 *
 * <p>Settings of the reference configs that do not change inference are not represented:
 * {@code two_stage_bbox_embed_share} ({@code enc_out_bbox_embed} is loaded from its own keys either way),
 * {@code max_text_len} (ignored by the reference, always 256), dropouts, denoising and training settings,
 * {@code use_checkpoint}.
 *
 * @param name a short description of the variant (for messages), e.g. {@code "GroundingDINO SwinT-OGC"}
 * @param swin the Swin backbone ({@code backbone}, {@code return_interm_indices})
 * @param bert the BERT text encoder ({@code text_encoder_type})
 * @param transformer the deformable transformer
 * @param peTemperatureH {@code pe_temperatureH} of the sine position embedding (20)
 * @param peTemperatureW {@code pe_temperatureW} (20)
 * @param subSentencePresent {@code sub_sentence_present}: BERT sees the sub-sentence mask and position ids (true in
 *     every release) instead of the plain padding mask
 * @param decPredBboxEmbedShare {@code dec_pred_bbox_embed_share}: ONE box head ({@code bbox_embed.0}, also listed as
 *     {@code bbox_embed.i} and {@code transformer.decoder.bbox_embed.i}) serves every decoder layer (true in every
 *     release); false: one head per layer
 * @param specialTokenMasks how the sub-sentence self-attention masks and position ids are derived from the token
 *     ids ({@link SpecialTokenMasks#REFERENCE} in the reference)
 */
public record GroundingDinoConfig(String name, SwinConfig swin, BertConfig bert, TransformerConfig transformer,
        double peTemperatureH, double peTemperatureW, boolean subSentencePresent, boolean decPredBboxEmbedShare,
        SpecialTokenMasks specialTokenMasks) {

    /**
     * The two implementations of {@code generate_masks_with_special_tokens_and_transfer_map} (blocks of tokens
     * between the special tokens {@code [CLS]}, {@code [SEP]}, {@code .}, {@code ?} attend to each other; a
     * token's position id is its offset in its block). They agree on the masks of a single caption and differ in
     * the position id of each separator and, in a padded batch, in rows after the first.
     */
    public enum SpecialTokenMasks {
        /**
         * groundingdino/models/GroundingDINO/bertwarper.py: one loop over the special tokens of the whole batch; a
         * separator gets the position id after its block's last token, and the previous separator's column is
         * carried from one row into the next.
         */
        REFERENCE,
        /**
         * transformers' vectorised version (modeling_grounding_dino.py, also MM-GroundingDINO): each row on its
         * own, separators get position id 0.
         */
        PER_ROW
    }

    /** A config with the reference's special-token masks. */
    public GroundingDinoConfig(String name, SwinConfig swin, BertConfig bert, TransformerConfig transformer,
            double peTemperatureH, double peTemperatureW, boolean subSentencePresent, boolean decPredBboxEmbedShare) {
        this(name, swin, bert, transformer, peTemperatureH, peTemperatureW, subSentencePresent, decPredBboxEmbedShare,
                SpecialTokenMasks.REFERENCE);
    }

    public GroundingDinoConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a config needs a name (used in error messages)");
        }
        if (specialTokenMasks == null) {
            throw new IllegalArgumentException("specialTokenMasks is required (SpecialTokenMasks.REFERENCE)");
        }
        if (swin == null || bert == null || transformer == null) {
            throw new IllegalArgumentException("the swin, bert and transformer configs are required");
        }
        int backboneLevels = swin.outIndices().size();
        if (backboneLevels < 1 || backboneLevels > transformer.numFeatureLevels()) {
            throw new IllegalArgumentException("num_feature_levels " + transformer.numFeatureLevels()
                    + " must be at least the number of backbone outputs (return_interm_indices " + swin.outIndices()
                    + ")");
        }
        if (!(peTemperatureH > 0) || !(peTemperatureW > 0) || Double.isInfinite(peTemperatureH)
                || Double.isInfinite(peTemperatureW)) {
            throw new IllegalArgumentException("pe_temperatureH/W must be positive and finite, got " + peTemperatureH
                    + " and " + peTemperatureW);
        }
    }

    /** A config with one shared decoder box head ({@code dec_pred_bbox_embed_share=True}, as in every release). */
    public GroundingDinoConfig(String name, SwinConfig swin, BertConfig bert, TransformerConfig transformer,
            double peTemperatureH, double peTemperatureW, boolean subSentencePresent) {
        this(name, swin, bert, transformer, peTemperatureH, peTemperatureW, subSentencePresent, true);
    }

    /** groundingdino/config/GroundingDINO_SwinT_OGC.py (groundingdino_swint_ogc.pth). */
    public static GroundingDinoConfig swinTOgc() {
        return new GroundingDinoConfig("GroundingDINO SwinT-OGC", SwinConfig.swinT224(), BertConfig.bertBaseUncased(),
                TransformerConfig.groundingDino(), 20, 20, true, true);
    }

    /** groundingdino/config/GroundingDINO_SwinB_cfg.py (groundingdino_swinb_cogcoor.pth). */
    public static GroundingDinoConfig swinB() {
        return new GroundingDinoConfig("GroundingDINO SwinB", SwinConfig.swinB384(), BertConfig.bertBaseUncased(),
                TransformerConfig.groundingDino(), 20, 20, true, true);
    }

    /** This config under another name. */
    public GroundingDinoConfig withName(String newName) {
        return new GroundingDinoConfig(newName, swin, bert, transformer, peTemperatureH, peTemperatureW,
                subSentencePresent, decPredBboxEmbedShare, specialTokenMasks);
    }

    /** This config with {@code dec_pred_bbox_embed_share} set to {@code share}. */
    public GroundingDinoConfig withDecPredBboxEmbedShare(boolean share) {
        return new GroundingDinoConfig(name, swin, bert, transformer, peTemperatureH, peTemperatureW,
                subSentencePresent, share, specialTokenMasks);
    }

    /** This config with other special-token masks. */
    public GroundingDinoConfig withSpecialTokenMasks(SpecialTokenMasks masks) {
        return new GroundingDinoConfig(name, swin, bert, transformer, peTemperatureH, peTemperatureW,
                subSentencePresent, decPredBboxEmbedShare, masks);
    }

    /** This config with other BERT and transformer configs (the options of transformers' ports). */
    public GroundingDinoConfig withParts(BertConfig newBert, TransformerConfig newTransformer) {
        return new GroundingDinoConfig(name, swin, newBert, newTransformer, peTemperatureH, peTemperatureW,
                subSentencePresent, decPredBboxEmbedShare, specialTokenMasks);
    }

}
