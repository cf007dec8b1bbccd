package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.matmul;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * utils.py::ContrastiveEmbed (no parameters): the similarity of every query with every text token,
 * {@code x @ text^T}, -inf at padding tokens, padded with -inf to {@code maxTextLen} (always 256: the reference
 * builds it with its default and ignores the config's {@code max_text_len}).
 *
 * <p>With a bias it is MM-GroundingDINO's head (modeling_mm_grounding_dino.py::MMGroundingDinoContrastiveEmbedding,
 * mmdet's {@code ContrastiveEmbed(log_scale='auto', bias=True)}): {@code x @ text^T / sqrt(C) + bias}, with one
 * learned scalar {@code bias} per head.
 */
public final class ContrastiveEmbed {
    /** The width of the logits. */
    public static final int MAX_TEXT_LEN = 256;

    private final int maxTextLen;
    private final Tensor bias; // () scalar, or null for the reference's parameter-free head

    public ContrastiveEmbed() {
        this(MAX_TEXT_LEN);
    }

    public ContrastiveEmbed(int maxTextLen) {
        this(maxTextLen, null);
    }

    private ContrastiveEmbed(int maxTextLen, Tensor bias) {
        if (maxTextLen <= 0) {
            throw new IllegalArgumentException("maxTextLen must be positive, got " + maxTextLen);
        }
        this.maxTextLen = maxTextLen;
        this.bias = bias;
    }

    /**
     * The head of {@code cfg}: parameter-free, or with {@code contrastiveBias} the scaled head whose scalar
     * {@code bias} is declared/loaded under {@code p} (pass {@code null} for {@code p} only without bias).
     */
    public static ContrastiveEmbed of(TransformerConfig cfg, ParamTree p) {
        return cfg.contrastiveBias() ? new ContrastiveEmbed(MAX_TEXT_LEN, p.param("bias")) : new ContrastiveEmbed();
    }

    /**
     * @param x (B, N, C) queries
     * @param encodedText (B, n, C) text tokens, n &lt;= maxTextLen
     * @param textTokenMask (B, n) bool, true on real tokens
     * @return (B, N, maxTextLen) logits, -inf at padding tokens and beyond n
     */
    public Tensor forward(Tensor x, Tensor encodedText, Tensor textTokenMask) {
        long n = encodedText.size(1);
        if (n > maxTextLen) {
            throw new IllegalArgumentException("text has " + n + " tokens, more than the " + maxTextLen
                    + " logit slots; truncate it first");
        }
        Scalar negInf = new Scalar(Double.NEGATIVE_INFINITY);
        Tensor res = matmul(x, encodedText.transpose(-1, -2)); // (B, N, n)
        if (bias != null) {
            res = res.div(new Scalar(Math.sqrt(x.size(-1)))).add(bias); // logit scale 1/sqrt(C), then the bias
        }
        res = res.masked_fill(textTokenMask.logical_not().unsqueeze(1), negInf);
        Tensor out = x.new_empty(x.size(0), x.size(1), maxTextLen).fill_(negInf); // (B, N, 256)
        out.narrow(2, 0, n).copy_(res);
        return out;
    }
}
