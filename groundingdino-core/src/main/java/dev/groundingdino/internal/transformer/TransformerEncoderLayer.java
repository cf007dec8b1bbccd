package dev.groundingdino.internal.transformer;

import dev.groundingdino.internal.runtime.Shapes;
import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.nn.MultiheadAttention;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino/models/GroundingDINO/transformer_vanilla.py::TransformerEncoderLayer: the text enhancer of each
 * encoder layer (checkpoint prefix {@code transformer.encoder.text_layers.{i}.}).
 *
 * <p>Post-norm: {@code x = norm1(x + self_attn(q = k = x + pos, v = x, attn_mask))}, then
 * {@code norm2(x + linear2(relu(linear1(x))))}. {@code self_attn} is a torch 1.13 {@code nn.MultiheadAttention}
 * ({@link MultiheadAttention}, which also documents how a batch of masks is applied). The reference also receives a
 * key-padding mask and ignores it; so does this class.
 */
public final class TransformerEncoderLayer {
    /**
     * Dimensions of one text enhancer layer.
     *
     * @param dModel token width (256)
     * @param nhead attention heads; must divide {@code dModel}
     * @param dimFeedforward hidden width of the ReLU feed-forward
     */
    public record Config(int dModel, int nhead, int dimFeedforward) {
        public Config {
            if (dModel <= 0 || nhead <= 0 || dimFeedforward <= 0) {
                throw new IllegalArgumentException("text enhancer dModel, nhead and dimFeedforward must be positive, got "
                        + dModel + ", " + nhead + ", " + dimFeedforward);
            }
            if (dModel % nhead != 0) {
                throw new IllegalArgumentException("text enhancer dModel " + dModel + " is not a multiple of nhead "
                        + nhead);
            }
        }

        /**
         * The text enhancer of a GroundingDINO encoder: {@code TransformerEncoderLayer(d_model, nhead=nheads // 2,
         * dim_feedforward=dim_feedforward // 2)}.
         */
        public static Config textEnhancer(int dModel, int nheads, int dimFeedforward) {
            if (nheads < 2 || dimFeedforward < 2) {
                throw new IllegalArgumentException(
                        "nheads and dimFeedforward must be at least 2 (the text enhancer uses half), got " + nheads
                                + " and " + dimFeedforward);
            }
            return new Config(dModel, nheads / 2, dimFeedforward / 2);
        }

        /** GroundingDINO_SwinT_OGC / SwinB: d_model 256, 4 heads, FFN 1024. */
        public static Config swinTOgc() {
            return textEnhancer(256, 8, 2048);
        }

        /** The golden "tiny" model: d_model 256, 2 heads, FFN 64. */
        public static Config tiny() {
            return textEnhancer(256, 4, 128);
        }

        public int headDim() {
            return dModel / nhead;
        }
    }

    private final Config cfg;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;

    public TransformerEncoderLayer(Config cfg, ParamTree p) {
        this.cfg = cfg;
        int d = cfg.dModel();
        this.selfAttn = new MultiheadAttention(d, cfg.nhead(), p.child("self_attn"));
        this.linear1 = new Linear(d, cfg.dimFeedforward(), p.child("linear1"));
        this.linear2 = new Linear(cfg.dimFeedforward(), d, p.child("linear2"));
        this.norm1 = new LayerNorm(d, p.child("norm1"));
        this.norm2 = new LayerNorm(d, p.child("norm2"));
    }

    public Config config() {
        return cfg;
    }

    /**
     * One text enhancer step.
     *
     * @param src text tokens (B, n, d_model)
     * @param srcMask (B, n, n) bool, TRUE = BLOCKED (the reference's {@code src_mask = ~text_self_attention_masks});
     *     {@code null} for no mask. Every row needs at least one unblocked entry (else the row becomes NaN, as in
     *     the reference)
     * @param pos text position embedding (B, n, d_model) added to queries and keys, or {@code null}
     * @return (B, n, d_model)
     * @throws IllegalArgumentException if the shapes or the mask dtype do not fit
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor pos) {
        checkInputs(src, srcMask, pos);
        Tensor qk = pos == null ? src : src.add(pos); // (B, n, d)
        Tensor attn = selfAttn.forward(qk, qk, src, srcMask, null); // (B, n, d)
        Tensor x = norm1.forward(attn.add_(src)); // (B, n, d)
        Tensor ffn = linear2.forward(linear1.forward(x).relu_()); // (B, n, d)
        return norm2.forward(ffn.add_(x)); // (B, n, d)
    }

    private void checkInputs(Tensor src, Tensor srcMask, Tensor pos) {
        if (src.dim() != 3 || src.size(2) != cfg.dModel()) {
            throw new IllegalArgumentException("text tokens must be (batch, tokens, " + cfg.dModel() + "), got "
                    + Shapes.format(src));
        }
        if (pos != null && (pos.dim() != 3 || pos.size(0) != src.size(0) || pos.size(1) != src.size(1)
                || pos.size(2) != src.size(2))) {
            throw new IllegalArgumentException("text position embedding must have the shape of the tokens "
                    + Shapes.format(src) + ", got " + Shapes.format(pos));
        }
        if (srcMask != null) {
            if (srcMask.dim() != 3 || srcMask.size(0) != src.size(0) || srcMask.size(1) != src.size(1)
                    || srcMask.size(2) != src.size(1)) {
                throw new IllegalArgumentException("text self-attention mask must be (batch, tokens, tokens) = ("
                        + src.size(0) + ", " + src.size(1) + ", " + src.size(1) + "), got " + Shapes.format(srcMask));
            }
            if (srcMask.scalar_type().intern() != ScalarType.Bool) {
                throw new IllegalArgumentException("text self-attention mask must be a bool tensor (true = blocked), got "
                        + srcMask.scalar_type());
            }
        }
    }

}
