package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.internal.runtime.TensorCache;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code swin_transformer.py::BasicLayer}: one Swin stage, {@code depth} blocks alternating regular
 * ({@code shift 0}) and shifted ({@code shift windowSize / 2}) windows, then an optional {@link PatchMerging}
 * ({@code downsample}, absent on the last stage).
 *
 * <p>The shifted-window region mask is built per call on the padded size {@code Hp x Wp} (multiples of the window)
 * with the reference's slices {@code (0:-ws, -ws:-s, -s:)} on each axis, giving 9 regions; pairs of tokens of one
 * window in different regions get {@code -100.0} (not {@code -inf}).
 */
public final class BasicLayer {
    /** A stage's result: the stage output before downsampling and the input of the next stage. */
    public record Output(Tensor out, int height, int width, Tensor down, int downHeight, int downWidth) {}

    private final int windowSize;
    private final int shiftSize;
    private final List<SwinTransformerBlock> blocks;
    private final PatchMerging downsample; // null on the last stage
    private final TensorCache cache;

    /** The per-size tensors of a stage: region mask and window permutations (cache key). */
    private record Geometry(BasicLayer layer, int height, int width, String deviceAndType) {}

    /**
     * @param dim        channels of this stage
     * @param depth      number of blocks
     * @param numHeads   attention heads
     * @param windowSize window side
     * @param mlpHidden  MLP hidden width
     * @param qkvBias    whether {@code attn.qkv} has a bias
     * @param downsample whether a {@link PatchMerging} follows
     * @param p          the stage's parameter subtree ({@code backbone.0.layers.i})
     */
    public BasicLayer(int dim, int depth, int numHeads, int windowSize, int mlpHidden, boolean qkvBias,
            boolean downsample, ParamTree p) {
        this(dim, depth, numHeads, windowSize, mlpHidden, qkvBias, downsample, p, TensorCache.disabled());
    }

    /**
     * As {@link #BasicLayer(int, int, int, int, int, boolean, boolean, ParamTree)}, keeping the region mask and
     * window permutations of recent input sizes in {@code cache}.
     */
    public BasicLayer(int dim, int depth, int numHeads, int windowSize, int mlpHidden, boolean qkvBias,
            boolean downsample, ParamTree p, TensorCache cache) {
        this.cache = cache;
        this.windowSize = windowSize;
        this.shiftSize = windowSize / 2;
        List<SwinTransformerBlock> list = new ArrayList<>(depth);
        ParamTree blocksTree = p.child("blocks");
        for (int i = 0; i < depth; i++) {
            list.add(new SwinTransformerBlock(dim, numHeads, windowSize, i % 2 == 0 ? 0 : shiftSize, mlpHidden,
                    qkvBias, blocksTree.child(i)));
        }
        this.blocks = List.copyOf(list);
        this.downsample = downsample ? new PatchMerging(dim, p.child("downsample")) : null;
    }

    /**
     * @param x      tokens (B, H*W, C)
     * @param height {@code H}
     * @param width  {@code W}
     */
    public Output forward(Tensor x, int height, int width) {
        boolean shifted = blocks.stream().anyMatch(b -> b.shiftSize() > 0);
        Tensor[] geometry = cache.get(new Geometry(this, height, width, x.device().str().getString() + "/"
                + x.scalar_type()), () -> {
                    Tensor[] regular = WindowIndex.of(height, width, windowSize, 0, x).tensors();
                    Tensor[] shiftedIdx = shifted ? WindowIndex.of(height, width, windowSize, shiftSize, x).tensors()
                            : new Tensor[3];
                    return new Tensor[] {shifted ? attentionMask(x, height, width) : null, regular[0], regular[1],
                            regular[2], shiftedIdx[0], shiftedIdx[1], shiftedIdx[2]};
                });
        Tensor mask = geometry[0];
        WindowIndex regular = WindowIndex.of(height, width, windowSize,
                new Tensor[] {geometry[1], geometry[2], geometry[3]});
        WindowIndex shiftedIndex = shifted ? WindowIndex.of(height, width, windowSize,
                new Tensor[] {geometry[4], geometry[5], geometry[6]}) : null;
        // (B, H*W, C) through the blocks; each block's temporaries and input are freed once the next is computed
        Tensor h = Scopes.chain(x, blocks.size(), (i, in) -> {
            SwinTransformerBlock block = blocks.get(i);
            return block.forward(in, height, width, mask, block.shiftSize() > 0 ? shiftedIndex : regular);
        }, t -> new Tensor[] {t});
        if (downsample == null) {
            return new Output(h, height, width, h, height, width);
        }
        Tensor down = downsample.forward(h, height, width); // (B, (H+1)/2 * (W+1)/2, 2C)
        return new Output(h, height, width, down, (height + 1) / 2, (width + 1) / 2);
    }

    /** The additive region mask (nW, N, N) for an {@code H x W} input, on the device and dtype of {@code like}. */
    Tensor attentionMask(Tensor like, int height, int width) {
        int hp = ceilToMultiple(height, windowSize);
        int wp = ceilToMultiple(width, windowSize);
        float[] regions = new float[hp * wp];
        for (int r = 0; r < hp; r++) {
            int hr = region(r, hp);
            for (int c = 0; c < wp; c++) {
                regions[r * wp + c] = hr * 3 + region(c, wp);
            }
        }
        Tensor imgMask = tensor(regions).view(1, hp, wp, 1); // (1, Hp, Wp, 1)
        if (!like.device().is_cpu()) {
            imgMask = imgMask.to(like.device(), ScalarType.Float);
        }
        long n = (long) windowSize * windowSize;
        Tensor maskWindows = SwinTransformerBlock.windowPartition(imgMask, windowSize) // (nW, Ws, Ws, 1)
                .view(-1, n); // (nW, N)
        Tensor diff = maskWindows.unsqueeze(1).sub(maskWindows.unsqueeze(2)); // (nW, N, N)
        Scalar zero = new Scalar(0.0);
        return diff.masked_fill(diff.ne(zero), new Scalar(-100.0))
                .masked_fill(diff.eq(zero), zero)
                .to(like.scalar_type());
    }

    /** Region id along one padded axis: slices {@code [0, n-ws)}, {@code [n-ws, n-s)}, {@code [n-s, n)}. */
    private int region(int i, int n) {
        if (i < n - windowSize) {
            return 0;
        }
        return i < n - shiftSize ? 1 : 2;
    }

    private static int ceilToMultiple(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /** The stage's blocks, in order. */
    public List<SwinTransformerBlock> blocks() {
        return blocks;
    }
}
