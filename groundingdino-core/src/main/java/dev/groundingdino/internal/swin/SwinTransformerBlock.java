package dev.groundingdino.internal.swin;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code swin_transformer.py::SwinTransformerBlock}: one pre-norm (shifted-)window attention block plus MLP.
 *
 * <p>Forward, exactly as the reference: {@code norm1}; pad right/bottom with zeros to a multiple of the window
 * (after the norm; padded tokens are not masked and take part in the attention); on shifted blocks
 * ({@code shiftSize > 0}) a cyclic shift by {@code -shiftSize} on both axes and the region mask; window attention;
 * window merge; reverse shift; crop; residual; then {@code x + mlp(norm2(x))}. Padding, shift and partition are
 * one gather here, merge, reverse shift and crop another ({@link WindowIndex}); each half runs in a nested scope so
 * its temporaries are freed before the MLP. The spatial size is passed to
 * {@link #forward} instead of being stored on the module (the reference sets {@code blk.H}, {@code blk.W}), so one
 * instance serves concurrent calls.
 */
public final class SwinTransformerBlock {
    private final int dim;
    private final int windowSize;
    private final int shiftSize;
    private final LayerNorm norm1;
    private final WindowAttention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;

    /**
     * @param dim        channels {@code C}
     * @param numHeads   attention heads
     * @param windowSize window side
     * @param shiftSize  cyclic shift, 0 (even blocks) or {@code windowSize / 2} (odd blocks)
     * @param mlpHidden  MLP hidden width
     * @param qkvBias    whether {@code attn.qkv} has a bias
     * @param p          the block's parameter subtree ({@code ...layers.i.blocks.j})
     */
    public SwinTransformerBlock(int dim, int numHeads, int windowSize, int shiftSize, int mlpHidden, boolean qkvBias,
            ParamTree p) {
        if (shiftSize < 0 || shiftSize >= windowSize) {
            throw new IllegalArgumentException("shiftSize " + shiftSize + " must be in [0, windowSize " + windowSize + ")");
        }
        this.dim = dim;
        this.windowSize = windowSize;
        this.shiftSize = shiftSize;
        this.norm1 = new LayerNorm(dim, p.child("norm1"));
        this.attn = new WindowAttention(dim, windowSize, numHeads, qkvBias, p.child("attn"));
        this.norm2 = new LayerNorm(dim, p.child("norm2"));
        this.mlp = new Mlp(dim, mlpHidden, p.child("mlp"));
    }

    /**
     * @param x        tokens (B, H*W, C), row-major over (H, W)
     * @param height   {@code H}
     * @param width    {@code W}
     * @param attnMask the region mask of {@link BasicLayer} for the padded size, (nW, N, N); used only when this
     *                 block is shifted (may be {@code null} otherwise)
     * @return (B, H*W, C)
     */
    public Tensor forward(Tensor x, int height, int width, Tensor attnMask) {
        return forward(x, height, width, attnMask, WindowIndex.of(height, width, windowSize, shiftSize, x));
    }

    /** {@link #forward(Tensor, int, int, Tensor)} with the layer's window permutation for this block's shift. */
    Tensor forward(Tensor x, int height, int width, Tensor attnMask, WindowIndex index) {
        long batch = x.size(0);
        if (x.size(1) != (long) height * width || x.size(2) != dim) {
            throw new IllegalArgumentException("block input has shape [" + batch + ", " + x.size(1) + ", "
                    + x.size(2) + "] but H*W = " + height + "*" + width + " tokens of " + dim + " channels were expected");
        }
        if (shiftSize > 0 && attnMask == null) {
            throw new IllegalArgumentException("a shifted block needs the attention mask of its layer");
        }
        // norm1, zero-pad to whole windows, roll by -shift, window partition: one gather
        Tensor windows = Scopes.tensor(() -> index.partition(norm1.forward(x))); // (nW*B, N, C)
        Tensor attended = Scopes.tensor(() -> attn.forward(windows, shiftSize > 0 ? attnMask : null)); // (nW*B, N, C)
        // window merge, roll by +shift, crop: one gather; then the residual in place
        Tensor out = index.merge(attended).add_(x); // (B, H*W, C) x + attention
        return mlp.forward(norm2.forward(out)).add_(out); // out + mlp(norm2(out))
    }

    /** The cyclic shift of this block's windows (0 or {@code windowSize / 2}). */
    int shiftSize() {
        return shiftSize;
    }

    /**
     * {@code swin_transformer.py::window_partition}: (B, H, W, C) with H, W multiples of {@code ws} to
     * (B * H/ws * W/ws, ws, ws, C), windows of each image consecutive, row-major.
     */
    static Tensor windowPartition(Tensor x, int ws) {
        long b = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        long c = x.size(3);
        return x.view(b, h / ws, ws, w / ws, ws, c) // (B, H/ws, ws, W/ws, ws, C)
                .permute(0, 1, 3, 2, 4, 5) // (B, H/ws, W/ws, ws, ws, C)
                .contiguous()
                .view(-1, ws, ws, c); // (B*nW, ws, ws, C)
    }

}
