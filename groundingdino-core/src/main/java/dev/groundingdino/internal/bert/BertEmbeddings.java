package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.embedding;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * transformers/models/bert/modeling_bert.py::BertEmbeddings (v4.29): word + token type + absolute position
 * embeddings, then LayerNorm (dropout is the identity at inference).
 *
 * <p>The persistent buffer {@code position_ids} ([1, max_position_embeddings] int64, stored in every checkpoint)
 * is declared so that strict loading accepts it, but its values are never used: GroundingDINO always passes its
 * own sub-sentence position ids.
 */
public final class BertEmbeddings {
    private final Tensor wordEmbeddings;
    private final Tensor positionEmbeddings;
    private final Tensor tokenTypeEmbeddings;
    private final LayerNorm layerNorm;

    public BertEmbeddings(BertConfig cfg, ParamTree p) {
        int h = cfg.hiddenSize();
        p.param("position_ids", 1, cfg.maxPositionEmbeddings()); // persistent int64 buffer, values unused
        this.wordEmbeddings = p.param("word_embeddings.weight", cfg.vocabSize(), h);
        this.positionEmbeddings = p.param("position_embeddings.weight", cfg.maxPositionEmbeddings(), h);
        this.tokenTypeEmbeddings = p.param("token_type_embeddings.weight", cfg.typeVocabSize(), h);
        this.layerNorm = new LayerNorm(h, cfg.layerNormEps(), p.child("LayerNorm"));
    }

    /**
     * Embeds the tokens.
     *
     * @param inputIds (B, n) int64 token ids
     * @param tokenTypeIds (B, n) int64 segment ids
     * @param positionIds (B, n) int64 position ids, each below {@code maxPositionEmbeddings}
     * @return (B, n, hidden) float
     */
    public Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds) {
        Tensor words = embedding(wordEmbeddings, inputIds); // (B, n, H)
        Tensor types = embedding(tokenTypeEmbeddings, tokenTypeIds); // (B, n, H)
        Tensor x = words.add_(types); // words + types, in the fresh lookup
        x = x.add_(embedding(positionEmbeddings, positionIds)); // (B, n, H)
        return layerNorm.forward(x);
    }
}
