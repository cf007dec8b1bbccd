package dev.groundingdino.internal.bert;

/**
 * The dimensions of the BERT text encoder (transformers 4.29 {@code BertConfig}, only what inference needs).
 *
 * <p>GroundingDINO always uses absolute position embeddings, exact-erf GELU and no decoder/cross-attention, so
 * those options are not represented.
 *
 * @param vocabSize rows of {@code word_embeddings} (30522 for bert-base-uncased)
 * @param hiddenSize width of every hidden state
 * @param numHiddenLayers number of {@code encoder.layer.{i}} blocks
 * @param numAttentionHeads heads of each self-attention; must divide {@code hiddenSize}
 * @param intermediateSize width of the GELU feed-forward layer
 * @param maxPositionEmbeddings rows of {@code position_embeddings} and length of the {@code position_ids} buffer
 * @param typeVocabSize rows of {@code token_type_embeddings}
 * @param layerNormEps epsilon of every BERT LayerNorm (1e-12)
 * @param pooler whether the model has the (unused) {@code pooler.dense} layer: true in the reference
 *     ({@code BertModel} with its pooler), false in transformers' GroundingDINO ports
 *     ({@code AutoModel.from_config(text_config, add_pooling_layer=False)})
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
        int intermediateSize, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps, boolean pooler) {

    /** A BERT with its pooler, as in the reference. */
    public BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
            int intermediateSize, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps) {
        this(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, maxPositionEmbeddings,
                typeVocabSize, layerNormEps, true);
    }

    public BertConfig {
        requirePositive("vocabSize", vocabSize);
        requirePositive("hiddenSize", hiddenSize);
        requirePositive("numHiddenLayers", numHiddenLayers);
        requirePositive("numAttentionHeads", numAttentionHeads);
        requirePositive("intermediateSize", intermediateSize);
        requirePositive("maxPositionEmbeddings", maxPositionEmbeddings);
        requirePositive("typeVocabSize", typeVocabSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("BERT hiddenSize " + hiddenSize
                    + " is not a multiple of numAttentionHeads " + numAttentionHeads);
        }
        if (!(layerNormEps > 0) || !Double.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("BERT layerNormEps must be a positive finite number, got "
                    + layerNormEps);
        }
    }

    /** {@code bert-base-uncased}: 768 hidden, 12 layers, 12 heads, 3072 intermediate (the released models). */
    public static BertConfig bertBaseUncased() {
        return new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12);
    }

    /**
     * The reduced BERT of the golden "tiny" GroundingDINO ({@code gdino/tiny_seed0/config.json}): 32 hidden,
     * 2 layers, 2 heads, 64 intermediate, otherwise like {@link #bertBaseUncased()}.
     */
    public static BertConfig tiny() {
        return new BertConfig(30522, 32, 2, 2, 64, 512, 2, 1e-12);
    }

    /** This config with or without the pooler. */
    public BertConfig withPooler(boolean withPooler) {
        return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                maxPositionEmbeddings, typeVocabSize, layerNormEps, withPooler);
    }

    /** Width of one attention head. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("BERT " + name + " must be positive, got " + value);
        }
    }
}
