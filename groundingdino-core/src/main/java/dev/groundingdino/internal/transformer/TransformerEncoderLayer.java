package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.baddbmm;
import static org.bytedeco.pytorch.global.torch.bmm;
import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.relu;
import static org.bytedeco.pytorch.global.torch.softmax;
import static org.bytedeco.pytorch.global.torch.zeros;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino/models/GroundingDINO/transformer_vanilla.py::TransformerEncoderLayer: the text enhancer of each
 * encoder layer (checkpoint prefix {@code transformer.encoder.text_layers.{i}.}).
 *
 * <p>Post-norm: {@code x = norm1(x + self_attn(q = k = x + pos, v = x, attn_mask))}, then
 * {@code norm2(x + linear2(relu(linear1(x))))}. {@code self_attn} is a torch 1.13 {@code nn.MultiheadAttention}
 * (packed {@code in_proj_weight} [3d, d], q divided by {@code sqrt(head_dim)}, boolean mask turned into -inf
 * added to the scores). The reference also receives a key-padding mask and ignores it; so does this class.
 * Tensors are batch-first here (the reference is sequence-first; the arithmetic is identical).
 *
 * <p>Batch > 1: the reference repeats the (B, n, n) mask head-major ({@code src_mask.repeat(nhead, 1, 1)}) while
 * torch's attention is batch-major, so it would pair batch b / head h with the mask of batch
 * {@code (b * nhead + h) % B}. This class applies each batch element's own mask to all its heads, which is
 * identical for B = 1 (the only case the reference runs) and keeps batched results equal to single ones.
 */
public final class TransformerEncoderLayer {
    private static final double LAYER_NORM_EPS = 1e-5;

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
    private final Tensor inProjWeight;
    private final Tensor inProjBias;
    private final Tensor outProjWeight;
    private final Tensor outProjBias;
    private final Tensor linear1Weight;
    private final Tensor linear1Bias;
    private final Tensor linear2Weight;
    private final Tensor linear2Bias;
    private final Tensor norm1Weight;
    private final Tensor norm1Bias;
    private final Tensor norm2Weight;
    private final Tensor norm2Bias;

    public TransformerEncoderLayer(Config cfg, ParamTree p) {
        this.cfg = cfg;
        int d = cfg.dModel();
        ParamTree attn = p.child("self_attn");
        this.inProjWeight = attn.param("in_proj_weight", 3L * d, d);
        this.inProjBias = attn.param("in_proj_bias", 3L * d);
        this.outProjWeight = attn.param("out_proj.weight", d, d);
        this.outProjBias = attn.param("out_proj.bias", d);
        this.linear1Weight = p.param("linear1.weight", cfg.dimFeedforward(), d);
        this.linear1Bias = p.param("linear1.bias", cfg.dimFeedforward());
        this.linear2Weight = p.param("linear2.weight", d, cfg.dimFeedforward());
        this.linear2Bias = p.param("linear2.bias", d);
        this.norm1Weight = p.param("norm1.weight", d);
        this.norm1Bias = p.param("norm1.bias", d);
        this.norm2Weight = p.param("norm2.weight", d);
        this.norm2Bias = p.param("norm2.bias", d);
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
        long b = src.size(0);
        long n = src.size(1);
        long d = cfg.dModel();
        long h = cfg.nhead();
        long hd = cfg.headDim();

        Tensor qk = pos == null ? src : src.add(pos); // (B, n, d)
        Tensor q = linear(qk, inProjWeight.narrow(0, 0, d), new TensorOptional(inProjBias.narrow(0, 0, d)));
        Tensor k = linear(qk, inProjWeight.narrow(0, d, d), new TensorOptional(inProjBias.narrow(0, d, d)));
        Tensor v = linear(src, inProjWeight.narrow(0, 2 * d, d), new TensorOptional(inProjBias.narrow(0, 2 * d, d)));
        q = heads(q, b, n).div(new Scalar(Math.sqrt(hd))); // (B*h, n, hd)
        k = heads(k, b, n); // (B*h, n, hd)
        v = heads(v, b, n); // (B*h, n, hd)

        Tensor attn;
        if (srcMask != null) {
            Tensor additive = zeros(new long[] {b, n, n}, q.options())
                    .masked_fill(srcMask, new Scalar(Double.NEGATIVE_INFINITY)); // (B, n, n)
            additive = additive.unsqueeze(1).expand(b, h, n, n).reshape(b * h, n, n); // (B*h, n, n)
            attn = baddbmm(additive, q, k.transpose(1, 2)); // (B*h, n, n)
        } else {
            attn = bmm(q, k.transpose(1, 2)); // (B*h, n, n)
        }
        attn = softmax(attn, -1);
        Tensor out = bmm(attn, v); // (B*h, n, hd)
        out = out.view(b, h, n, hd).transpose(1, 2).reshape(b, n, d); // (B, n, d)
        out = linear(out, outProjWeight, new TensorOptional(outProjBias)); // (B, n, d)

        Tensor x = layer_norm(src.add(out), new long[] {d}, new TensorOptional(norm1Weight),
                new TensorOptional(norm1Bias), LAYER_NORM_EPS, false); // (B, n, d)
        Tensor ffn = linear(relu(linear(x, linear1Weight, new TensorOptional(linear1Bias))), linear2Weight,
                new TensorOptional(linear2Bias)); // (B, n, d)
        return layer_norm(x.add(ffn), new long[] {d}, new TensorOptional(norm2Weight), new TensorOptional(norm2Bias),
                LAYER_NORM_EPS, false); // (B, n, d)
    }

    /** (B, n, d) -> (B*h, n, hd), batch-major like torch's multi_head_attention_forward. */
    private Tensor heads(Tensor x, long b, long n) {
        return x.view(b, n, cfg.nhead(), cfg.headDim()).transpose(1, 2)
                .reshape(b * cfg.nhead(), n, cfg.headDim()); // (B*h, n, hd)
    }

    private void checkInputs(Tensor src, Tensor srcMask, Tensor pos) {
        if (src.dim() != 3 || src.size(2) != cfg.dModel()) {
            throw new IllegalArgumentException("text tokens must be (batch, tokens, " + cfg.dModel() + "), got "
                    + shape(src));
        }
        if (pos != null && (pos.dim() != 3 || pos.size(0) != src.size(0) || pos.size(1) != src.size(1)
                || pos.size(2) != src.size(2))) {
            throw new IllegalArgumentException("text position embedding must have the shape of the tokens "
                    + shape(src) + ", got " + shape(pos));
        }
        if (srcMask != null) {
            if (srcMask.dim() != 3 || srcMask.size(0) != src.size(0) || srcMask.size(1) != src.size(1)
                    || srcMask.size(2) != src.size(1)) {
                throw new IllegalArgumentException("text self-attention mask must be (batch, tokens, tokens) = ("
                        + src.size(0) + ", " + src.size(1) + ", " + src.size(1) + "), got " + shape(srcMask));
            }
            if (srcMask.scalar_type().intern() != ScalarType.Bool) {
                throw new IllegalArgumentException("text self-attention mask must be a bool tensor (true = blocked), got "
                        + srcMask.scalar_type());
            }
        }
    }

    private static String shape(Tensor t) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < t.dim(); i++) {
            sb.append(i == 0 ? "" : ", ").append(t.size(i));
        }
        return sb.append(']').toString();
    }
}
