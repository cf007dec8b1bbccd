package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino/models/GroundingDINO/groundingdino.py::GroundingDINO, text branch: {@code bert} (a
 * {@link BertModelWarper}) followed by {@code feat_map} ({@code nn.Linear(bert_hidden, hidden_dim)}), giving the
 * {@code encoded_text} that enters the encoder.
 *
 * <p>Built from the model's ROOT parameter tree: it reads {@code bert.*} and {@code feat_map.weight/bias}.
 * Inputs are the (already truncated to 256) tokenizer outputs; see {@link BertModelWarper#forward}.
 */
public final class TextEncoder {
    private final BertModelWarper bert;
    private final Linear featMap;

    /**
     * @param cfg BERT dimensions
     * @param hiddenDim the detector's d_model (256)
     * @param root the model's root tree (not the {@code bert} subtree)
     */
    public TextEncoder(BertConfig cfg, int hiddenDim, ParamTree root) {
        if (hiddenDim <= 0) {
            throw new IllegalArgumentException("hiddenDim must be positive, got " + hiddenDim);
        }
        this.bert = new BertModelWarper(cfg, root.child("bert"));
        this.featMap = new Linear(cfg.hiddenSize(), hiddenDim, root.child("feat_map"));
    }

    public BertModelWarper bert() {
        return bert;
    }

    /**
     * BERT then {@code feat_map}.
     *
     * @param inputIds (B, n) int64
     * @param tokenTypeIds (B, n) int64, or {@code null} for zeros
     * @param positionIds (B, n) int64 sub-sentence positions
     * @param selfAttentionMask (B, n, n) bool sub-sentence mask (true = may attend)
     * @return {@code encoded_text} (B, n, hiddenDim)
     */
    public Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds, Tensor selfAttentionMask) {
        return featMap(bert.forward(inputIds, tokenTypeIds, positionIds, selfAttentionMask));
    }

    /**
     * BERT then {@code feat_map} on plain Java inputs (token type ids all zero); the tensors are created in the
     * caller's scope.
     *
     * @param inputIds [B][n] token ids
     * @param positionIds [B][n] sub-sentence positions
     * @param selfAttentionMask [B][n][n] sub-sentence mask (true = may attend)
     * @return {@code encoded_text} (B, n, hiddenDim)
     * @throws IllegalArgumentException if the arrays are empty or not rectangular with matching sizes
     */
    public Tensor forward(long[][] inputIds, long[][] positionIds, boolean[][][] selfAttentionMask) {
        int b = inputIds.length;
        int n = b == 0 ? 0 : inputIds[0].length;
        if (b == 0 || n == 0) {
            throw new IllegalArgumentException("text encoder needs at least one caption with at least one token");
        }
        if (positionIds.length != b || selfAttentionMask.length != b) {
            throw new IllegalArgumentException("text encoder inputs disagree on the batch size: " + b + " id rows, "
                    + positionIds.length + " position rows, " + selfAttentionMask.length + " masks");
        }
        long[] ids = new long[b * n];
        long[] pos = new long[b * n];
        long[] mask = new long[b * n * n];
        for (int i = 0; i < b; i++) {
            if (inputIds[i].length != n || positionIds[i].length != n || selfAttentionMask[i].length != n) {
                throw new IllegalArgumentException("text encoder inputs of batch row " + i + " must all have " + n
                        + " tokens (pad the batch to one length)");
            }
            System.arraycopy(inputIds[i], 0, ids, i * n, n);
            System.arraycopy(positionIds[i], 0, pos, i * n, n);
            for (int r = 0; r < n; r++) {
                if (selfAttentionMask[i][r].length != n) {
                    throw new IllegalArgumentException("self-attention mask of batch row " + i + " must be " + n + " x "
                            + n);
                }
                for (int c = 0; c < n; c++) {
                    mask[(i * n + r) * n + c] = selfAttentionMask[i][r][c] ? 1 : 0;
                }
            }
        }
        Tensor idsT = tensor(ids).view(b, n); // (B, n)
        Tensor posT = tensor(pos).view(b, n); // (B, n)
        Tensor maskT = tensor(mask).view(b, n, n).to(ScalarType.Bool); // (B, n, n)
        return forward(idsT, null, posT, maskT);
    }

    /**
     * Applies {@code feat_map} alone.
     *
     * @param lastHiddenState (B, n, bert_hidden)
     * @return (B, n, hiddenDim)
     */
    public Tensor featMap(Tensor lastHiddenState) {
        return featMap.forward(lastHiddenState); // (B, n, D)
    }
}
