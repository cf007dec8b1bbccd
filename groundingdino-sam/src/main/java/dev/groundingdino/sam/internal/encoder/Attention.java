package dev.groundingdino.sam.internal.encoder;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.index_select;
import static org.bytedeco.pytorch.global.torch.matmul;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.sam.internal.config.SamConfig;
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
 *
 * <p>The softmax and the product with {@code v} run in libtorch's fused {@code scaled_dot_product_attention}
 * ({@link dev.groundingdino.internal.nn.Attention}) with {@code rel_h + rel_w} as its additive float mask, so the
 * score matrix is never materialised: only the mask is, and it is built for a few heads at a time (at most
 * {@link #MAX_MASK_ELEMENTS}, i.e. 2 heads of a ViT global block at 4096 tokens), each slice in its own native
 * scope. The reference materialises the scores of all heads at once (805 MB per ViT-B global block).
 */
public final class Attention {
    /** Upper bound on the relative-position mask elements built at once (32 Mi floats = 128 MiB). */
    static final long MAX_MASK_ELEMENTS = 32L * 1024 * 1024;

    private final Linear qkv;
    private final Linear proj;
    private final Tensor relPosH;
    private final Tensor relPosW;
    private final int numHeads;
    private final int headDim;
    private final int size;
    private final double scale;
    private final long maxMaskElements;
    private final Tensor relTableH; // (h, hd, kh) float32 on the model's device; null in declare mode
    private final Tensor relTableW; // (w, hd, kw)
    private final boolean floatCore; // the attention core in float32 (the CPU) or in the weights' type (CUDA)

    /**
     * @param size side of the square token grid this attention sees: the window size for windowed blocks, the
     *     feature-map side for global ones
     */
    public Attention(SamConfig cfg, ParamTree p, int size) {
        this(cfg, p, size, MAX_MASK_ELEMENTS);
    }

    /** As {@link #Attention(SamConfig, ParamTree, int)} with another bound on the mask built at once (tests). */
    Attention(SamConfig cfg, ParamTree p, int size, long maxMaskElements) {
        this.maxMaskElements = maxMaskElements;
        int dim = cfg.encoderEmbedDim();
        this.numHeads = cfg.encoderNumHeads();
        this.headDim = dim / numHeads;
        this.size = size;
        this.scale = Math.pow(headDim, -0.5);
        this.relPosH = p.param("rel_pos_h", 2L * size - 1, headDim);
        this.relPosW = p.param("rel_pos_w", 2L * size - 1, headDim);
        this.qkv = new Linear(dim, 3 * dim, p.child("qkv"));
        this.proj = new Linear(dim, dim, p.child("proj"));
        this.floatCore = p.placement() == null || !p.placement().isCuda();
        this.relTableH = relPosH == null ? null : p.constant(() -> relativeTable(relPosH, relPosH)
                .to(ScalarType.Float).permute(0, 2, 1).contiguous()); // (h, hd, kh)
        this.relTableW = relPosW == null ? null : p.constant(() -> relativeTable(relPosW, relPosW)
                .to(ScalarType.Float).permute(0, 2, 1).contiguous()); // (w, hd, kw)
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
        long s = b * numHeads;
        ScalarType type = x.scalar_type();
        Tensor heads = Scopes.tensor(() -> {
            Tensor packed = qkv.forward(x).reshape(b, n, 3, numHeads, -1).permute(2, 0, 3, 1, 4); // (3,B,nH,HW,hd)
            // on the CPU the attention core runs in float32 (bfloat16 encoders too: libtorch's bfloat16 CPU attention
            // kernel is ~20x slower, and the relative-position products are tiny matrices); on CUDA in the weights'
            // type, where reduced-precision attention is the fast path
            ScalarType core = floatCore ? ScalarType.Float : type;
            packed = packed.reshape(3, s, n, headDim).to(core); // (3, B*nH, HW, hd)
            Tensor q = packed.select(0, 0); // (B*nH, HW, hd)
            Tensor k = packed.select(0, 1);
            Tensor v = packed.select(0, 2);
            Tensor rh = relTableH.to(core); // (h, hd, kh), a constant of the model
            Tensor rw = relTableW.to(core); // (w, hd, kw)
            long step = Math.max(1, Math.min(s, maxMaskElements / (n * n)));
            if (step >= s) {
                return attend(q, k, v, rh, rw, s, h, w);
            }
            TensorVector outs = new TensorVector();
            for (long start = 0; start < s; start += step) {
                long from = start;
                long len = Math.min(step, s - start);
                outs.push_back(Scopes.tensor(() -> attend(q.narrow(0, from, len), k.narrow(0, from, len),
                        v.narrow(0, from, len), rh, rw, len, h, w)));
            }
            return cat(outs, 0); // (B*nH, HW, hd)
        });
        Tensor out = heads.view(b, numHeads, h, w, headDim).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1).to(type);
        return proj.forward(out); // (B, H, W, C)
    }

    /** Attention of {@code s} (batch x head) slices: {@code (s, HW, hd) -> (s, HW, hd)}. */
    private Tensor attend(Tensor q, Tensor k, Tensor v, Tensor rh, Tensor rw, long s, long h, long w) {
        long n = h * w;
        Tensor rq = q.reshape(s, h, w, headDim); // (s, h, w, hd), unscaled as in the reference
        Tensor relH = matmul(rq, rh); // (s, h, w, kh)
        Tensor relW = matmul(rq.permute(0, 2, 1, 3), rw).permute(0, 2, 1, 3); // (s, h, w, kw)
        Tensor mask = relH.unsqueeze(4).add(relW.unsqueeze(3)).view(1, s, n, n); // (1, s, HW, kh*kw)
        // 4-d (1, s, HW, hd) so that the fused kernel (not the materialising fallback) takes it
        return dev.groundingdino.internal.nn.Attention.scaledDotProduct(q.unsqueeze(0), k.unsqueeze(0),
                v.unsqueeze(0), mask, scale).squeeze(0); // (s, HW, hd)
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
