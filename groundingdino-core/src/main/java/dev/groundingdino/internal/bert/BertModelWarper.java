package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.runtime.Shapes;
import static org.bytedeco.pytorch.global.torch.rsub;
import static org.bytedeco.pytorch.global.torch.zeros_like;

import dev.groundingdino.internal.runtime.ParamTree;
import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino/models/GroundingDINO/bertwarper.py::BertModelWarper: the BERT encoder GroundingDINO runs on the
 * caption (checkpoint prefix {@code bert.}), driven by the 3-D sub-sentence self-attention mask and the
 * sub-sentence position ids.
 *
 * <p>The boolean mask {@code m} (B, n, n) becomes the additive mask {@code (1 - m) * finfo(float32).min}
 * (-3.4028235e38, not -inf) broadcast over heads, exactly like transformers' {@code get_extended_attention_mask}
 * for a 3-D mask. Dropout is the identity (inference). The pooler is declared but not run (its output is unused
 * by GroundingDINO).
 */
public final class BertModelWarper {
    /** {@code torch.finfo(torch.float32).min}. */
    static final double FLOAT32_MIN = -(double) Float.MAX_VALUE;

    private final BertConfig cfg;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final BertPooler pooler;

    /**
     * @param cfg the BERT dimensions
     * @param p the subtree of the {@code bert} attribute (keys {@code bert.embeddings...}, {@code bert.encoder...},
     *     {@code bert.pooler...})
     */
    public BertModelWarper(BertConfig cfg, ParamTree p) {
        this.cfg = cfg;
        this.embeddings = new BertEmbeddings(cfg, p.child("embeddings"));
        this.encoder = new BertEncoder(cfg, p.child("encoder"));
        this.pooler = cfg.pooler() ? new BertPooler(cfg, p.child("pooler")) : null;
    }

    public BertConfig config() {
        return cfg;
    }

    /** The (unused by GroundingDINO) pooler, for completeness; null for a BERT built without it. */
    public BertPooler pooler() {
        return pooler;
    }

    /**
     * Runs BERT and returns {@code last_hidden_state}.
     *
     * @param inputIds (B, n) int64 token ids
     * @param tokenTypeIds (B, n) int64 segment ids, or {@code null} for all zeros (what the tokenizer produces)
     * @param positionIds (B, n) int64 sub-sentence position ids
     * @param attentionMask (B, n, n) bool (or 0/1 integer) self-attention mask, true where token i may attend to j
     * @return (B, n, hidden) float
     * @throws IllegalArgumentException if the shapes do not agree
     */
    public Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds, Tensor attentionMask) {
        checkInputs(inputIds, tokenTypeIds, positionIds, attentionMask);
        Tensor types = tokenTypeIds != null ? tokenTypeIds : zeros_like(inputIds);
        Tensor hidden = embeddings.forward(inputIds, types, positionIds); // (B, n, H)
        Tensor allowed = attentionMask.unsqueeze(1).to(ScalarType.Float); // (B, 1, n, n)
        Tensor additive = rsub(allowed, new Scalar(1.0)).mul(new Scalar(FLOAT32_MIN)); // (B, 1, n, n)
        if (additive.scalar_type().intern() != hidden.scalar_type().intern()) {
            additive = additive.to(hidden.scalar_type()); // bfloat16: the minimum rounds to -inf, same softmax
        }
        return encoder.forward(hidden, additive);
    }

    private static void checkInputs(Tensor ids, Tensor types, Tensor positions, Tensor mask) {
        if (ids.dim() != 2) {
            throw new IllegalArgumentException("BERT input ids must be (batch, tokens), got shape " + Shapes.format(ids));
        }
        long b = ids.size(0);
        long n = ids.size(1);
        if (positions.dim() != 2 || positions.size(0) != b || positions.size(1) != n) {
            throw new IllegalArgumentException("BERT position ids must have the shape of the input ids " + Shapes.format(ids)
                    + ", got " + Shapes.format(positions));
        }
        if (types != null && (types.dim() != 2 || types.size(0) != b || types.size(1) != n)) {
            throw new IllegalArgumentException("BERT token type ids must have the shape of the input ids "
                    + Shapes.format(ids) + ", got " + Shapes.format(types));
        }
        if (mask.dim() != 3 || mask.size(0) != b || mask.size(1) != n || mask.size(2) != n) {
            throw new IllegalArgumentException("BERT self-attention mask must be (batch, tokens, tokens) = (" + b
                    + ", " + n + ", " + n + "), got " + Shapes.format(mask));
        }
    }

}
