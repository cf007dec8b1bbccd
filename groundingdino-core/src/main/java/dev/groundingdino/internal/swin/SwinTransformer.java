package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.cat;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.internal.runtime.TensorCache;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
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
 * <p>Thread-safe: holds only the weights (and the per-size cache it was given); {@link #forward} frees its
 * temporaries stage by stage and returns its outputs in the caller's scope, one image of a batch at a time.
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
        this(cfg, p, TensorCache.disabled());
    }

    /**
     * As {@link #SwinTransformer(SwinConfig, ParamTree)}, keeping the per-size masks and window permutations of
     * every stage in {@code cache}.
     */
    public SwinTransformer(SwinConfig cfg, ParamTree p, TensorCache cache) {
        this.cfg = cfg;
        this.patchEmbed = new PatchEmbed(cfg, p.child("patch_embed"));
        List<BasicLayer> list = new ArrayList<>();
        ParamTree layersTree = p.child("layers");
        for (int i = 0; i < cfg.numLayers(); i++) {
            list.add(new BasicLayer(cfg.numFeatures(i), cfg.depth(i), cfg.heads(i), cfg.windowSize(),
                    cfg.mlpHidden(i), cfg.qkvBias(), i < cfg.numLayers() - 1, layersTree.child(i), cache));
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
     *     (channels-last strides: the permuted normalised tokens, not copied)
     * @throws IllegalArgumentException if {@code images} is not a 4-d floating-point tensor with
     *     {@code inChans} channels
     */
    public List<Tensor> forward(Tensor images) {
        checkInput(images);
        long batch = images.size(0);
        if (batch == 1) {
            return forwardBatch(images);
        }
        // Every op of the backbone works on each image alone: run them one at a time, so the transient memory is that
        // of one image (a batch of 10 at 800x1067 would otherwise hold ~3 GB of stage-0 temporaries at once).
        List<TensorVector> perLevel = new ArrayList<>();
        for (long b = 0; b < batch; b++) {
            long image = b;
            List<Tensor> levels = Scopes.tensors(() -> forwardBatch(images.narrow(0, image, 1)));
            for (int l = 0; l < levels.size(); l++) {
                if (perLevel.size() <= l) {
                    perLevel.add(new TensorVector());
                }
                perLevel.get(l).push_back(levels.get(l)); // (1, C_l, H_l, W_l)
            }
        }
        List<Tensor> outs = new ArrayList<>(perLevel.size());
        for (TensorVector level : perLevel) {
            outs.add(cat(level, 0)); // (B, C_l, H_l, W_l)
        }
        return outs;
    }

    /** The backbone on the whole batch at once. */
    private List<Tensor> forwardBatch(Tensor images) {
        Tensor x = patchEmbed.forward(images); // (B, C, Wh, Ww)
        int height = (int) x.size(2);
        int width = (int) x.size(3);
        x = x.flatten(2, -1).transpose(1, 2); // (B, Wh*Ww, C)

        List<Tensor> outs = new ArrayList<>(outNorms.size());
        int next = 0;
        for (int i = 0; i <= lastStage; i++) {
            // one stage per nested scope: only the stage's output and the next stage's input survive it
            BasicLayer layer = layers.get(i);
            LayerNorm outNorm = next < outNorms.size() && cfg.outIndices().get(next) == i ? outNorms.get(next) : null;
            Tensor in = x;
            int h = height;
            int w = width;
            int channels = cfg.numFeatures(i);
            boolean last = i == lastStage;
            Tensor[] stage = Scopes.keep(() -> {
                BasicLayer.Output o = layer.forward(in, h, w);
                Tensor feature = outNorm == null ? null
                        : outNorm.forward(o.out()) // (B, H*W, C_i)
                                .view(-1, h, w, channels) // (B, H, W, C_i)
                                .permute(0, 3, 1, 2); // (B, C_i, H, W), channels-last strides (no copy)
                return new Tensor[] {feature, last ? null : o.down()};
            }, r -> r);
            if (outNorm != null) {
                outs.add(stage[0]);
                next++;
            }
            x = stage[1];
            height = (height + 1) / 2;
            width = (width + 1) / 2;
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
