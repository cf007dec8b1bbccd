package dev.groundingdino.internal.nn;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code torch.nn.MultiheadAttention(embed_dim, num_heads)} (inference, dropout off) as GroundingDINO uses it: the
 * decoder's {@code self_attn} and {@code ca_text} and the text enhancer's {@code self_attn}
 * (transformer_vanilla.py::TransformerEncoderLayer). Packed {@code in_proj_weight [3E, E]} / {@code in_proj_bias}
 * applied as three projections (q, k and v are different tensors in every GroundingDINO call), {@code out_proj}.
 *
 * <p>The attention itself is libtorch's fused {@code scaled_dot_product_attention} with scale
 * {@code head_dim^-0.5} and an additive float mask ({@code -inf} where blocked): the same arithmetic as torch 1.13's
 * {@code multi_head_attention_forward} ({@code baddbmm(mask, q / sqrt(hd), k^T)}, softmax, {@code bmm} with v) up to
 * float rounding (measured below 1e-6). Tensors are batch-first here; the reference's are sequence-first.
 *
 * <p>{@code attnMask} is applied per batch element to all its heads. The reference's text enhancer repeats its
 * (B, n, n) mask head-major while torch's attention is batch-major, so for B > 1 it would pair batch b / head h
 * with the mask of batch {@code (b * nhead + h) % B}; this class is identical for B = 1 (the only case the
 * reference runs) and keeps batched results equal to single ones.
 */
public final class MultiheadAttention {
    private final int embedDim;
    private final int numHeads;
    private final Tensor inProjWeight;
    private final Tensor inProjBias;
    private final Linear outProj;

    /** Declares/loads {@code in_proj_weight}, {@code in_proj_bias}, {@code out_proj.weight/bias} under {@code p}. */
    public MultiheadAttention(int embedDim, int numHeads, ParamTree p) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention needs embedDim divisible by numHeads, got "
                    + embedDim + " and " + numHeads + " at " + p.fullName("in_proj_weight"));
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.inProjWeight = p.param("in_proj_weight", 3L * embedDim, embedDim);
        this.inProjBias = p.param("in_proj_bias", 3L * embedDim);
        this.outProj = new Linear(embedDim, embedDim, p.child("out_proj"));
    }

    public int embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    /**
     * @param query (B, L, E)
     * @param key (B, S, E)
     * @param value (B, S, E)
     * @param attnMask (B, L, S) bool, true = blocked, or null; every row needs an unblocked key (else NaN, as in
     *     the reference)
     * @param keyPaddingMask (B, S) bool, true = ignore that key, or null
     * @return (B, L, E)
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
        long b = query.size(0);
        long l = query.size(1);
        long s = key.size(1);
        long hd = embedDim / numHeads;
        Tensor q = heads(project(query, 0), b, l); // (B, M, L, hd)
        Tensor k = heads(project(key, 1), b, s); // (B, M, S, hd)
        Tensor v = heads(project(value, 2), b, s); // (B, M, S, hd)
        Tensor additive = null;
        if (attnMask != null || keyPaddingMask != null) {
            Scalar blocked = new Scalar(Double.NEGATIVE_INFINITY);
            additive = q.new_zeros(b, 1, attnMask != null ? l : 1, s); // (B, 1, L|1, S) in the dtype of q
            if (attnMask != null) {
                additive.masked_fill_(attnMask.view(b, 1, l, s), blocked);
            }
            if (keyPaddingMask != null) {
                additive.masked_fill_(keyPaddingMask.view(b, 1, 1, s), blocked);
            }
        }
        Tensor out = Attention.scaledDotProduct(q, k, v, additive, 1.0 / Math.sqrt(hd)); // (B, M, L, hd)
        out = out.transpose(1, 2).reshape(b, l, embedDim); // (B, L, E)
        return outProj.forward(out);
    }

    /** The {@code part}-th (q = 0, k = 1, v = 2) slice of the packed input projection applied to {@code x}. */
    private Tensor project(Tensor x, int part) {
        long e = embedDim;
        return Linear.apply(x, inProjWeight.narrow(0, part * e, e), inProjBias.narrow(0, part * e, e));
    }

    /** (B, N, E) to (B, M, N, hd), a view. */
    private Tensor heads(Tensor x, long b, long n) {
        return x.view(b, n, numHeads, embedDim / numHeads).transpose(1, 2); // (B, M, N, hd)
    }
}
