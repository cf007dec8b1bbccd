package dev.groundingdino.internal.backbone;

import dev.groundingdino.internal.runtime.Shapes;
import static org.bytedeco.pytorch.global.torch.upsample_nearest2d;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.TensorCache;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.swin.SwinTransformer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code backbone.py::Joiner}: GroundingDINO's {@code backbone} module, the Swin Transformer ({@code backbone.0})
 * followed by the sine position embedding ({@code backbone.1}, no parameters), applied to every returned level.
 *
 * <p>Per level {@code l} (Swin stage {@code outIndices[l]}): the feature map, the padding mask downsampled to its
 * size with nearest-neighbour interpolation of the float mask ({@link #interpolateMask}, as
 * {@code SwinTransformer.forward} / {@code BackboneBase.forward} do) and the position encoding computed from that
 * mask.
 *
 * <p>Batches follow the reference's NestedTensor semantics: images are zero-padded bottom-right to a common size and
 * the Swin runs on the whole padded canvas (the mask is not used inside it). Hence the features of a padded image
 * equal a single-image run of that zero-padded canvas, not of the unpadded image (padding changes the window
 * partitions, the shifted-window regions and the padded tokens attended to); only the masks and position encodings
 * depend on the valid region.
 */
public final class Joiner {
    /**
     * One feature level.
     *
     * @param features (B, C_l, H_l, W_l)
     * @param mask     (B, H_l, W_l) bool, {@code true} on padding
     * @param pos      (B, 2 * numPosFeats, H_l, W_l) float, the sine position encoding (without level embedding)
     */
    public record Level(Tensor features, Tensor mask, Tensor pos) {}

    private final SwinTransformer backbone;
    private final PositionEmbeddingSineHW positionEmbedding;
    private final TensorCache cache;

    /** Cache key of the position encoding of an unpadded h x w map. */
    private record PositionKey(Joiner joiner, long height, long width, String deviceAndType) {}

    /**
     * @param swin              the Swin variant
     * @param positionEmbedding the position encoding ({@link PositionEmbeddingSineHW#groundingDino(int, double,
     *                          double)} with {@code (256, 20, 20)} for every released GroundingDINO)
     * @param p                 the {@code backbone} subtree; the Swin parameters are under {@code backbone.0}
     */
    public Joiner(SwinConfig swin, PositionEmbeddingSineHW positionEmbedding, ParamTree p) {
        this(swin, positionEmbedding, p, TensorCache.disabled());
    }

    /**
     * As {@link #Joiner(SwinConfig, PositionEmbeddingSineHW, ParamTree)}, keeping the per-size tensors of recent
     * input sizes (the Swin masks and window permutations, the position encodings of unpadded maps) in
     * {@code cache}.
     */
    public Joiner(SwinConfig swin, PositionEmbeddingSineHW positionEmbedding, ParamTree p, TensorCache cache) {
        this.backbone = new SwinTransformer(swin, p.child(0), cache);
        this.positionEmbedding = positionEmbedding;
        this.cache = cache;
    }

    /**
     * @param samples normalised images (B, 3, H, W) and their padding mask
     * @return one {@link Level} per Swin output index, strides 8/16/32 for GroundingDINO
     */
    public List<Level> forward(NestedTensor samples) {
        List<Tensor> features = backbone.forward(samples.tensors());
        boolean padded = samples.padded();
        List<Level> levels = new ArrayList<>(features.size());
        for (Tensor f : features) {
            Tensor mask = interpolateMask(samples.mask(), f.size(2), f.size(3)); // (B, H_l, W_l)
            levels.add(new Level(f, mask, position(mask, padded, f))); // pos (B, 2F, H_l, W_l)
        }
        return levels;
    }

    /**
     * The position encoding of a level's mask in the dtype of {@code like}: computed for padded batches, taken from
     * the cache (computed once per size, expanded over the batch) when nothing is padded.
     *
     * @param mask (B, H, W) bool, true on padding
     * @param padded whether any image of the batch has padding
     * @param like a tensor with the target dtype
     * @return (B, 2 * numPosFeats, H, W)
     */
    public Tensor position(Tensor mask, boolean padded, Tensor like) {
        if (padded) {
            return positionEmbedding.forward(mask).to(like.scalar_type()); // (B, 2F, H, W)
        }
        long b = mask.size(0);
        long h = mask.size(1);
        long w = mask.size(2);
        Tensor one = cache.getOne(new PositionKey(this, h, w, mask.device().str().getString() + "/"
                + like.scalar_type()), () -> positionEmbedding.forward(mask.narrow(0, 0, 1))
                        .to(like.scalar_type())); // (1, 2F, H, W)
        return b == 1 ? one : one.expand(b, -1, -1, -1); // (B, 2F, H, W)
    }

    /**
     * The reference's mask resize {@code F.interpolate(m[None].float(), size=(h, w)).to(torch.bool)[0]}
     * (default mode {@code nearest}: source index {@code floor(i * in / out)}).
     *
     * @param mask (B, H, W) bool
     * @return (B, h, w) bool
     */
    public static Tensor interpolateMask(Tensor mask, long height, long width) {
        if (mask.dim() != 3) {
            throw new IllegalArgumentException("expected a mask [B, H, W], got " + Shapes.format(mask));
        }
        return upsample_nearest2d(mask.unsqueeze(0).to(ScalarType.Float), height, width) // (1, B, h, w)
                .to(ScalarType.Bool)
                .select(0, 0); // (B, h, w)
    }

    /** The Swin Transformer ({@code backbone.0}). */
    public SwinTransformer backbone() {
        return backbone;
    }

    /** Channels of each level ({@code Joiner.num_channels}). */
    public List<Integer> numChannels() {
        return backbone.config().outChannels();
    }
}
