package dev.groundingdino.internal.swin;

import dev.groundingdino.internal.runtime.ParamTree;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code swin_transformer.py::SwinTransformer}: GroundingDINO's image backbone ({@code backbone.0}).
 *
 * <p>{@link PatchEmbed} (stride {@code patchSize}), then one {@link BasicLayer} per stage, each but the last ending in
 * a {@link PatchMerging}; the output of every stage in {@link SwinConfig#outIndices()} goes through its LayerNorm
 * {@code norm<i>} and is returned as {@code (B, C_i, H_i, W_i)}. For GroundingDINO ({@code out_indices = (1, 2, 3)})
 * these are strides 8/16/32 with {@code 2C}/{@code 4C}/{@code 8C} channels, where each stage's size is
 * {@code ((H + 1) / 2, (W + 1) / 2)} of the previous one, starting from {@code (ceil(H/4), ceil(W/4))}.
 *
 * <p>Parameters are found under the reference names ({@code patch_embed.proj.weight},
 * {@code layers.{i}.blocks.{j}.attn.qkv.weight}, {@code layers.{i}.downsample.reduction.weight},
 * {@code norm{i}.weight}, ...) below the {@link ParamTree} given to the constructor, declared in state-dict order.
 * The image padding mask plays no part here: every sample of a batch is processed as the full padded canvas,
 * exactly like the reference (see {@code dev.groundingdino.internal.backbone.Joiner} for the masks).
 *
 * <p>Thread-safe: holds only the weights; {@link #forward} allocates its temporaries in the caller's scope.
 */
public final class SwinTransformer {
    private final SwinConfig cfg;
    private final PatchEmbed patchEmbed;
    private final List<BasicLayer> layers;
    private final List<LayerNorm> outNorms; // parallel to cfg.outIndices()
    private final int lastStage;

    /**
     * Declares (or loads) every parameter of {@code cfg} below {@code p} ({@code backbone.0} in GroundingDINO).
     *
     * @throws dev.groundingdino.CheckpointException in load mode, when a tensor is missing or has a wrong shape, or
     *     a stored {@code relative_position_index} differs from the standard one
     */
    public SwinTransformer(SwinConfig cfg, ParamTree p) {
        this.cfg = cfg;
        this.patchEmbed = new PatchEmbed(cfg, p.child("patch_embed"));
        List<BasicLayer> list = new ArrayList<>();
        ParamTree layersTree = p.child("layers");
        for (int i = 0; i < cfg.numLayers(); i++) {
            list.add(new BasicLayer(cfg.numFeatures(i), cfg.depth(i), cfg.heads(i), cfg.windowSize(),
                    cfg.mlpHidden(i), cfg.qkvBias(), i < cfg.numLayers() - 1, layersTree.child(i)));
        }
        this.layers = List.copyOf(list);
        List<LayerNorm> norms = new ArrayList<>();
        for (int index : cfg.outIndices()) {
            norms.add(new LayerNorm(cfg.numFeatures(index), p.child("norm" + index)));
        }
        this.outNorms = List.copyOf(norms);
        this.lastStage = cfg.outIndices().get(cfg.outIndices().size() - 1);
    }

    /** The configuration this backbone was built with. */
    public SwinConfig config() {
        return cfg;
    }

    /**
     * The reference's {@code forward_raw}: multi-scale features of a batch of images.
     *
     * @param images normalised float images (B, inChans, H, W), B >= 1, any H, W >= 1 (padded internally)
     * @return one tensor (B, C_i, H_i, W_i) per entry of {@link SwinConfig#outIndices()}, in that order
     * @throws IllegalArgumentException if {@code images} is not a 4-d floating-point tensor with
     *     {@code inChans} channels
     */
    public List<Tensor> forward(Tensor images) {
        checkInput(images);
        Tensor x = patchEmbed.forward(images); // (B, C, Wh, Ww)
        int height = (int) x.size(2);
        int width = (int) x.size(3);
        x = x.flatten(2, -1).transpose(1, 2); // (B, Wh*Ww, C)

        List<Tensor> outs = new ArrayList<>(outNorms.size());
        int next = 0;
        for (int i = 0; i <= lastStage; i++) {
            BasicLayer.Output o = layers.get(i).forward(x, height, width);
            if (next < outNorms.size() && cfg.outIndices().get(next) == i) {
                Tensor normed = outNorms.get(next).forward(o.out()); // (B, H*W, C_i)
                outs.add(normed.view(-1, o.height(), o.width(), cfg.numFeatures(i)) // (B, H, W, C_i)
                        .permute(0, 3, 1, 2) // (B, C_i, H, W)
                        .contiguous());
                next++;
            }
            x = o.down();
            height = o.downHeight();
            width = o.downWidth();
        }
        return outs;
    }

    private void checkInput(Tensor images) {
        if (images.dim() != 4 || images.size(1) != cfg.inChans() || images.size(0) < 1 || images.size(2) < 1
                || images.size(3) < 1) {
            StringBuilder shape = new StringBuilder("[");
            for (int d = 0; d < images.dim(); d++) {
                shape.append(d == 0 ? "" : ", ").append(images.size(d));
            }
            throw new IllegalArgumentException("the Swin backbone expects images of shape [B, " + cfg.inChans()
                    + ", H, W], got " + shape.append(']'));
        }
        ScalarType type = images.scalar_type().intern(); // JavaCPP returns un-interned enum instances
        if (type != ScalarType.Float && type != ScalarType.Double && type != ScalarType.BFloat16
                && type != ScalarType.Half) {
            throw new IllegalArgumentException("the Swin backbone expects floating-point images, got " + type
                    + "; normalise the uint8 pixels first");
        }
        if (images.size(2) > Integer.MAX_VALUE / 2 || images.size(3) > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("image of " + images.size(2) + "x" + images.size(3) + " is too large");
        }
    }
}
