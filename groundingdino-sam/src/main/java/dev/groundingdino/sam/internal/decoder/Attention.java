package dev.groundingdino.sam.internal.decoder;

import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.softmax;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.nn.Linear;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code segment_anything/modeling/transformer.py::Attention}: multi-head attention whose q/k/v projections may
 * reduce the width by {@code downsample_rate} ({@code internal_dim = dim / rate}); scores are divided by
 * {@code sqrt(head_dim)} after {@code q k^T}.
 */
public final class Attention {
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final int numHeads;
    private final int headDim;

    /** Declares/loads {@code q_proj, k_proj, v_proj} [dim/rate, dim] and {@code out_proj} [dim, dim/rate]. */
    public Attention(ParamTree p, int embeddingDim, int numHeads, int downsampleRate) {
        int internal = embeddingDim / downsampleRate;
        if (internal % numHeads != 0) {
            throw new IllegalArgumentException("num_heads " + numHeads + " must divide the internal dim " + internal);
        }
        this.numHeads = numHeads;
        this.headDim = internal / numHeads;
        this.qProj = new Linear(embeddingDim, internal, p.child("q_proj"));
        this.kProj = new Linear(embeddingDim, internal, p.child("k_proj"));
        this.vProj = new Linear(embeddingDim, internal, p.child("v_proj"));
        this.outProj = new Linear(internal, embeddingDim, p.child("out_proj"));
    }

    /** {@code q (B, Nq, C), k (B, Nk, C), v (B, Nk, C) -> (B, Nq, C)}. */
    public Tensor forward(Tensor q, Tensor k, Tensor v) {
        Tensor qh = separateHeads(qProj.forward(q)); // (B, nH, Nq, hd)
        Tensor kh = separateHeads(kProj.forward(k)); // (B, nH, Nk, hd)
        Tensor vh = separateHeads(vProj.forward(v)); // (B, nH, Nk, hd)
        Tensor attn = matmul(qh, kh.permute(0, 1, 3, 2)); // (B, nH, Nq, Nk)
        attn = softmax(attn.div(new Scalar(Math.sqrt(headDim))), -1);
        Tensor out = matmul(attn, vh); // (B, nH, Nq, hd)
        out = out.transpose(1, 2).reshape(out.size(0), out.size(2), (long) numHeads * headDim); // (B, Nq, nH*hd)
        return outProj.forward(out);
    }

    /** {@code _separate_heads}: {@code (B, N, nH*hd) -> (B, nH, N, hd)}. */
    private Tensor separateHeads(Tensor x) {
        return x.reshape(x.size(0), x.size(1), numHeads, headDim) // (B, N, nH, hd)
                .transpose(1, 2); // (B, nH, N, hd)
    }
}
