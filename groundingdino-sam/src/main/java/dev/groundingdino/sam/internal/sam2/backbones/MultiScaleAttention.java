package dev.groundingdino.sam.internal.sam2.backbones;

import dev.groundingdino.internal.nn.Attention;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/backbones/hieradet.py::MultiScaleAttention}: multi-head self-attention over a (window of the)
 * token grid, whose queries are max-pooled ({@code q_pool}, {@code do_pool}) at a stage transition so that the
 * output has the pooled grid size; {@code qkv} maps {@code dim -> 3 * dim_out}. The core is libtorch's
 * {@code scaled_dot_product_attention} with its default scale {@code 1 / sqrt(head_dim)}, like the reference.
 */
public final class MultiScaleAttention {
    private final Linear qkv;
    private final Linear proj;
    private final int numHeads;
    private final int headDim;
    private final int qStride; // 0 = no query pooling

    /** Declares/loads {@code qkv} [3 * dimOut, dim] and {@code proj} [dimOut, dimOut]. */
    public MultiScaleAttention(ParamTree p, int dim, int dimOut, int numHeads, int qStride) {
        this.numHeads = numHeads;
        this.headDim = dimOut / numHeads;
        this.qStride = qStride;
        this.qkv = new Linear(dim, dimOut * 3, p.child("qkv"));
        this.proj = new Linear(dimOut, dimOut, p.child("proj"));
    }

    /** {@code (B, H, W, dim) -> (B, H', W', dimOut)}, {@code H' = H / qStride} when pooling, else {@code H}. */
    public Tensor forward(Tensor x) {
        long b = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        Tensor packed = qkv.forward(x).reshape(b, h * w, 3, numHeads, -1); // (B, HW, 3, nH, hd)
        Tensor q = packed.select(2, 0); // (B, HW, nH, hd)
        Tensor k = packed.select(2, 1);
        Tensor v = packed.select(2, 2);
        if (qStride > 0) {
            q = MultiScaleBlock.doPool(q.reshape(b, h, w, -1), qStride); // (B, H', W', dimOut)
            h = q.size(1);
            w = q.size(2);
            q = q.reshape(b, h * w, numHeads, -1); // (B, H'W', nH, hd)
        }
        Tensor out = Attention.scaledDotProduct(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), null,
                1.0 / Math.sqrt(headDim)); // (B, nH, H'W', hd)
        out = out.transpose(1, 2).reshape(b, h, w, -1); // (B, H', W', dimOut)
        return proj.forward(out);
    }
}
