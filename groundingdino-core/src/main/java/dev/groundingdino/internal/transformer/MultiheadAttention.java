package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.baddbmm;
import static org.bytedeco.pytorch.global.torch.bmm;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.softmax;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * torch.nn.MultiheadAttention as torch 1.13 evaluates it for the decoder's {@code self_attn} and {@code ca_text}
 * (not batch-first, so the slow path of {@code F.multi_head_attention_forward}): packed {@code in_proj_weight}
 * [3E, E] / {@code in_proj_bias} applied as three separate projections (q, k and v are different tensors in every
 * GroundingDINO call), heads batch-major, {@code q / sqrt(head_dim)}, scores {@code baddbmm(mask, q, k^T)} with the
 * key-padding mask as an additive -inf mask, softmax, {@code bmm} with v, {@code out_proj}. Dropout is inactive.
 *
 * <p>Tensors are batch-first here; the arithmetic is the reference's.
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
                    + embedDim + " and " + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.inProjWeight = p.param("in_proj_weight", 3L * embedDim, embedDim);
        this.inProjBias = p.param("in_proj_bias", 3L * embedDim);
        this.outProj = new Linear(embedDim, embedDim, p.child("out_proj"));
    }

    /**
     * @param query (B, L, E)
     * @param key (B, S, E)
     * @param value (B, S, E)
     * @param keyPaddingMask (B, S) bool, true = ignore that key, or null
     * @return (B, L, E)
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask) {
        long b = query.size(0);
        long l = query.size(1);
        long s = key.size(1);
        long e = embedDim;
        long hd = e / numHeads;
        Tensor q = project(query, 0); // (B, L, E)
        Tensor k = project(key, 1); // (B, S, E)
        Tensor v = project(value, 2); // (B, S, E)
        q = heads(q, b, l).div(new Scalar(Math.sqrt(hd))); // (B*M, L, hd)
        k = heads(k, b, s); // (B*M, S, hd)
        v = heads(v, b, s); // (B*M, S, hd)
        Tensor scores;
        if (keyPaddingMask != null) {
            Tensor additive = query.new_zeros(b, 1, 1, s)
                    .masked_fill(keyPaddingMask.view(b, 1, 1, s), new Scalar(Double.NEGATIVE_INFINITY)) // (B, 1, 1, S)
                    .expand(b, numHeads, 1, s) // (B, M, 1, S)
                    .reshape(b * numHeads, 1, s); // (B*M, 1, S)
            scores = baddbmm(additive, q, k.transpose(1, 2)); // (B*M, L, S)
        } else {
            scores = bmm(q, k.transpose(1, 2)); // (B*M, L, S)
        }
        Tensor out = bmm(softmax(scores, -1), v); // (B*M, L, hd)
        out = out.view(b, numHeads, l, hd).transpose(1, 2).reshape(b, l, e); // (B, L, E)
        return outProj.forward(out);
    }

    /** The {@code part}-th (q = 0, k = 1, v = 2) slice of the packed input projection applied to {@code x}. */
    private Tensor project(Tensor x, int part) {
        long e = embedDim;
        return linear(x, inProjWeight.narrow(0, part * e, e), new TensorOptional(inProjBias.narrow(0, part * e, e)));
    }

    /** (B, N, E) to (B*M, N, hd), batch-major like torch. */
    private Tensor heads(Tensor x, long b, long n) {
        long hd = embedDim / numHeads;
        return x.view(b, n, numHeads, hd).transpose(1, 2).reshape(b * numHeads, n, hd); // (B*M, N, hd)
    }
}
