package dev.groundingdino.sam.internal.encoder;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.index_select;
import static org.bytedeco.pytorch.global.torch.matmul;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.SamConfig;
import dev.groundingdino.sam.internal.common.Linear;
import dev.groundingdino.sam.internal.common.Ops;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code segment_anything/modeling/image_encoder.py::Attention}: multi-head self-attention over a (window of the)
 * token grid with decomposed relative positions ({@code add_decomposed_rel_pos} / {@code get_rel_pos} of the same
 * file): {@code softmax((q * scale) k^T + rel_h + rel_w) v}, where the relative terms are computed from the
 * UNSCALED q.
 *
 * <p>The tables {@code rel_pos_h / rel_pos_w} have exactly {@code 2 * size - 1} rows for the size this block attends
 * over (the loader enforces the shape), so the reference's linear interpolation of the tables never applies.
 * Heads are processed in slices when the full attention matrix would be large (ViT-H global blocks); each head is
 * independent, so the result is the same.
 */
public final class Attention {
    /** Upper bound on the attention-matrix elements materialised at once (256 MiB of float32). */
    private static final long MAX_ATTENTION_ELEMENTS = 64L * 1024 * 1024;

    private final Linear qkv;
    private final Linear proj;
    private final Tensor relPosH;
    private final Tensor relPosW;
    private final int numHeads;
    private final int headDim;
    private final int size;

    /**
     * @param size side of the square token grid this attention sees: the window size for windowed blocks, the
     *     feature-map side for global ones
     */
    public Attention(SamConfig cfg, ParamTree p, int size) {
        int dim = cfg.encoderEmbedDim();
        this.numHeads = cfg.encoderNumHeads();
        this.headDim = dim / numHeads;
        this.size = size;
        this.relPosH = p.param("rel_pos_h", 2L * size - 1, headDim);
        this.relPosW = p.param("rel_pos_w", 2L * size - 1, headDim);
        this.qkv = new Linear(p.child("qkv"), dim, 3 * dim);
        this.proj = new Linear(p.child("proj"), dim, dim);
    }

    /** {@code (B, H, W, C) -> (B, H, W, C)} with {@code H == W == size}. */
    public Tensor forward(Tensor x) {
        long b = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        if (h != size || w != size) {
            throw new IllegalStateException("encoder attention built for " + size + "x" + size + " tokens got " + h
                    + "x" + w);
        }
        long n = h * w;
        Tensor packed = qkv.forward(x).reshape(b, n, 3, numHeads, -1).permute(2, 0, 3, 1, 4); // (3, B, nH, HW, hd)
        packed = packed.reshape(3, b * numHeads, n, -1); // (3, B*nH, HW, hd)
        Tensor q = packed.select(0, 0); // (B*nH, HW, hd)
        Tensor k = packed.select(0, 1); // (B*nH, HW, hd)
        Tensor v = packed.select(0, 2); // (B*nH, HW, hd)

        Tensor rh = relativeTable(relPosH, x).permute(0, 2, 1); // (h, hd, kh)
        Tensor rw = relativeTable(relPosW, x).permute(0, 2, 1); // (w, hd, kw)

        long bh = b * numHeads;
        long step = Math.max(1, Math.min(bh, MAX_ATTENTION_ELEMENTS / (n * n)));
        Tensor out; // (B*nH, HW, hd)
        if (step >= bh) {
            out = attend(q, k, v, rh, rw, bh, h, w);
        } else {
            TensorVector outs = new TensorVector();
            for (long start = 0; start < bh; start += step) {
                long len = Math.min(step, bh - start);
                outs.push_back(attend(q.narrow(0, start, len), k.narrow(0, start, len), v.narrow(0, start, len), rh,
                        rw, len, h, w));
            }
            out = cat(outs, 0);
        }
        out = out.view(b, numHeads, h, w, -1).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1); // (B, H, W, C)
        return proj.forward(out);
    }

    /** Attention of {@code s} (batch x head) slices: {@code (s, HW, hd) -> (s, HW, hd)}. */
    private Tensor attend(Tensor q, Tensor k, Tensor v, Tensor rh, Tensor rw, long s, long h, long w) {
        long n = h * w;
        Tensor attn = matmul(q.mul(new Scalar(Math.pow(headDim, -0.5))), k.transpose(-2, -1)); // (s, HW, HW)
        Tensor rq = q.reshape(s, h, w, headDim); // (s, h, w, hd)
        Tensor relH = matmul(rq, rh); // (s, h, w, kh)
        Tensor relW = matmul(rq.permute(0, 2, 1, 3), rw).permute(0, 2, 1, 3); // (s, h, w, kw)
        attn = attn.view(s, h, w, h, w) // (s, h, w, kh, kw)
                .add_(relH.unsqueeze(4)) // + (s, h, w, kh, 1)
                .add_(relW.unsqueeze(3)) // + (s, h, w, 1, kw)
                .view(s, n, n); // (s, HW, HW)
        return matmul(attn.softmax(-1), v); // (s, HW, hd)
    }

    /**
     * {@code get_rel_pos(size, size, table)}: {@code R[i, j] = table[i - j + size - 1]}, shape
     * {@code (size, size, hd)}.
     */
    private Tensor relativeTable(Tensor table, Tensor like) {
        Tensor coords = arange(new Scalar(size), Ops.options(like, ScalarType.Long)); // (size)
        Tensor rel = coords.unsqueeze(1).sub(coords.unsqueeze(0)).add(new Scalar(size - 1)); // (size, size)
        return index_select(table, 0, rel.flatten()).view(size, size, headDim); // (size, size, hd)
    }
}
