package dev.groundingdino.sam.internal.sam2.sam;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/sam/transformer.py::Attention}: multi-head attention whose q/k/v projections may reduce the
 * width by {@code downsample_rate} ({@code internal_dim = embedding_dim / rate}) and whose keys/values may come from
 * a {@code kv_in_dim}-wide input; the core is libtorch's {@code scaled_dot_product_attention} with its default scale,
 * like the reference.
 */
public class Attention {
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final int numHeads;
    private final int headDim;

    /**
     * Declares/loads {@code q_proj} [internal, dim], {@code k_proj, v_proj} [internal, kvInDim] and {@code out_proj}
     * [dim, internal].
     */
    public Attention(ParamTree p, int embeddingDim, int numHeads, int downsampleRate, int kvInDim) {
        int internal = embeddingDim / downsampleRate;
        if (internal % numHeads != 0) {
            throw new IllegalArgumentException("num_heads " + numHeads + " must divide the internal dim " + internal);
        }
        this.numHeads = numHeads;
        this.headDim = internal / numHeads;
        this.qProj = new Linear(embeddingDim, internal, p.child("q_proj"));
        this.kProj = new Linear(kvInDim, internal, p.child("k_proj"));
        this.vProj = new Linear(kvInDim, internal, p.child("v_proj"));
        this.outProj = new Linear(internal, embeddingDim, p.child("out_proj"));
    }

    /** Keys and values as wide as the queries. */
    public Attention(ParamTree p, int embeddingDim, int numHeads, int downsampleRate) {
        this(p, embeddingDim, numHeads, downsampleRate, embeddingDim);
    }

    /** {@code q (B, Nq, C), k (B, Nk, Ckv), v (B, Nk, Ckv) -> (B, Nq, C)}. */
    public Tensor forward(Tensor q, Tensor k, Tensor v) {
        Tensor qh = separateHeads(qProj.forward(q)); // (B, nH, Nq, hd)
        Tensor kh = separateHeads(kProj.forward(k)); // (B, nH, Nk, hd)
        Tensor vh = separateHeads(vProj.forward(v)); // (B, nH, Nk, hd)
        Tensor out = dev.groundingdino.internal.nn.Attention.scaledDotProduct(qh, kh, vh, null,
                1.0 / Math.sqrt(headDim)); // (B, nH, Nq, hd)
        out = out.transpose(1, 2).reshape(out.size(0), out.size(2), (long) numHeads * headDim); // (B, Nq, nH*hd)
        return outProj.forward(out);
    }

    /** {@code _separate_heads}: {@code (B, N, nH*hd) -> (B, nH, N, hd)}. */
    private Tensor separateHeads(Tensor x) {
        return x.reshape(x.size(0), x.size(1), numHeads, headDim) // (B, N, nH, hd)
                .transpose(1, 2); // (B, nH, N, hd)
    }
}
