package dev.groundingdino.internal.transformer;

import org.bytedeco.pytorch.Tensor;

/**
 * The dimensions and switches of GroundingDINO's deformable transformer ({@code transformer.py::build_transformer}
 * arguments). Only the inference-relevant ones are represented; the reference's fixed choices are validated by the
 * config readers ({@code two_stage_type="standard"}, {@code query_dim=4}, {@code pre_norm=False},
 * {@code num_patterns=0}; dropouts are inactive at inference).
 *
 * @param dModel {@code hidden_dim}; must be 256 (the reference hard-wires 256 text position features and 4 x 128
 *     query sine features, NOTES §0)
 * @param nHeads {@code nheads} of the deformable and decoder attentions; the text enhancer and the fusion use half
 * @param numQueries {@code num_queries} (900 released, 30 in the golden tiny model)
 * @param encLayers {@code enc_layers}
 * @param decLayers {@code dec_layers}
 * @param dimFeedforward {@code dim_feedforward} of the deformable layers; the text enhancer and the fusion use half
 * @param numFeatureLevels {@code num_feature_levels} (4: three backbone levels plus one extra stride-2 conv)
 * @param encNPoints {@code enc_n_points}, sampling points per head and level in the encoder
 * @param decNPoints {@code dec_n_points}, the same in the decoder
 * @param activation {@code transformer_activation} of the deformable layers' FFN
 * @param embedInitTgt {@code embed_init_tgt}: decoder content queries are the learned {@code tgt_embed} (true) or
 *     the selected encoder outputs (false)
 * @param useTextEnhancer {@code use_text_enhancer}: encoder {@code text_layers}
 * @param useFusionLayer {@code use_fusion_layer}: encoder {@code fusion_layers}
 * @param useTextCrossAttention {@code use_text_cross_attention}: decoder {@code ca_text}
 * @param boxLogit how a reference box goes back to logit space before a box head's delta is added (decoder
 *     refinement and the detector's {@code pred_boxes}); {@link BoxLogit#INVERSE_SIGMOID} in the reference
 * @param contrastiveBias MM-GroundingDINO's class heads: the contrastive logits are scaled by
 *     {@code 1 / sqrt(d_model)} and shifted by a learned scalar {@code bias} per head
 *     ({@code enc_out_class_embed.bias}, {@code class_embed.{i}.bias}); false (the reference): plain dot products,
 *     no parameters
 */
public record TransformerConfig(int dModel, int nHeads, int numQueries, int encLayers, int decLayers,
        int dimFeedforward, int numFeatureLevels, int encNPoints, int decNPoints, Activation activation,
        boolean embedInitTgt, boolean useTextEnhancer, boolean useFusionLayer, boolean useTextCrossAttention,
        BoxLogit boxLogit, boolean contrastiveBias) {

    /** The reference's hard-wired model width. */
    public static final int D_MODEL = 256;

    /** {@code utils.py::_get_activation_fn} choices supported here. */
    public enum Activation {
        RELU("relu"),
        GELU("gelu");

        private final String pythonName;

        Activation(String pythonName) {
            this.pythonName = pythonName;
        }

        /** Parses the reference config value. */
        public static Activation of(String name) {
            for (Activation a : values()) {
                if (a.pythonName.equals(name)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("transformer_activation '" + name
                    + "' is not supported; use \"relu\" (every released GroundingDINO) or \"gelu\"");
        }
    }

    /**
     * The inverse sigmoid applied to reference boxes in {@code [0, 1]} before a box delta is added. The two
     * implementations differ only for boxes within {@code eps} of 0 or 1.
     */
    public enum BoxLogit {
        /**
         * util/misc.py::inverse_sigmoid(x, eps=1e-3) of the reference: {@code log(max(x, eps) / max(1 - x, eps))}
         * after clamping {@code x} to [0, 1].
         */
        INVERSE_SIGMOID,
        /**
         * {@code torch.special.logit(x, eps=1e-5)} of transformers' GroundingDINO and MM-GroundingDINO:
         * {@code log(z / (1 - z))} with {@code z = clamp(x, eps, 1 - eps)}.
         */
        LOGIT_EPS_1E5;

        /** This inverse sigmoid of {@code x}. */
        public Tensor apply(Tensor x) {
            return this == INVERSE_SIGMOID ? TransformerUtils.inverseSigmoid(x) : TransformerUtils.logit(x, 1e-5);
        }
    }

    /**
     * The reference's settings for the options added after the first release of this record
     * ({@link BoxLogit#INVERSE_SIGMOID}, no contrastive bias).
     */
    public TransformerConfig(int dModel, int nHeads, int numQueries, int encLayers, int decLayers,
            int dimFeedforward, int numFeatureLevels, int encNPoints, int decNPoints, Activation activation,
            boolean embedInitTgt, boolean useTextEnhancer, boolean useFusionLayer, boolean useTextCrossAttention) {
        this(dModel, nHeads, numQueries, encLayers, decLayers, dimFeedforward, numFeatureLevels, encNPoints,
                decNPoints, activation, embedInitTgt, useTextEnhancer, useFusionLayer, useTextCrossAttention,
                BoxLogit.INVERSE_SIGMOID, false);
    }

    public TransformerConfig {
        if (boxLogit == null) {
            throw new IllegalArgumentException("boxLogit is required (BoxLogit.INVERSE_SIGMOID in the reference)");
        }
        if (dModel != D_MODEL) {
            throw new IllegalArgumentException("hidden_dim must be " + D_MODEL + " (the reference hard-wires 256 text "
                    + "position features and a 512-wide query sine embedding), got " + dModel);
        }
        requirePositive("nheads", nHeads);
        requirePositive("num_queries", numQueries);
        requirePositive("enc_layers", encLayers);
        requirePositive("dec_layers", decLayers);
        requirePositive("dim_feedforward", dimFeedforward);
        requirePositive("num_feature_levels", numFeatureLevels);
        requirePositive("enc_n_points", encNPoints);
        requirePositive("dec_n_points", decNPoints);
        if (dModel % nHeads != 0) {
            throw new IllegalArgumentException("hidden_dim " + dModel + " is not divisible by nheads " + nHeads);
        }
        if (activation == null) {
            throw new IllegalArgumentException("transformer_activation is required");
        }
        if ((useTextEnhancer || useFusionLayer) && (nHeads < 2 || dimFeedforward < 2)) {
            throw new IllegalArgumentException("the text enhancer and the fusion layers use nheads // 2 heads and "
                    + "dim_feedforward // 2 width; nheads " + nHeads + " and dim_feedforward " + dimFeedforward
                    + " are too small");
        }
    }

    /**
     * GroundingDINO_SwinT_OGC.py and GroundingDINO_SwinB_cfg.py (identical transformers): 8 heads, 900 queries,
     * 6 + 6 layers, FFN 2048, 4 levels, 4 points, ReLU, every text module on.
     */
    public static TransformerConfig groundingDino() {
        return new TransformerConfig(256, 8, 900, 6, 6, 2048, 4, 4, 4, Activation.RELU, true, true, true, true);
    }

    /** The golden "tiny" model ({@code gdino/tiny_seed0/config.json}): 4 heads, 30 queries, 2 + 2 layers, FFN 128. */
    public static TransformerConfig tiny() {
        return new TransformerConfig(256, 4, 30, 2, 2, 128, 4, 4, 4, Activation.RELU, true, true, true, true);
    }

    /** This config with the Hugging Face port's box logit and, for MM-GroundingDINO, biased contrastive heads. */
    public TransformerConfig withHeads(BoxLogit logit, boolean bias) {
        return new TransformerConfig(dModel, nHeads, numQueries, encLayers, decLayers, dimFeedforward,
                numFeatureLevels, encNPoints, decNPoints, activation, embedInitTgt, useTextEnhancer, useFusionLayer,
                useTextCrossAttention, logit, bias);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
