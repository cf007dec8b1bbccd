package dev.groundingdino.internal.swin;

import java.util.ArrayList;
import java.util.List;

/**
 * Hyper-parameters of GroundingDINO's Swin Transformer backbone
 * ({@code groundingdino/models/GroundingDINO/backbone/swin_transformer.py::build_swin_transformer}, as called by
 * {@code backbone.py::build_backbone}).
 *
 * <p>Fixed by the reference builder and therefore not configurable: no absolute position embedding ({@code ape}),
 * no dilation, {@code qk_scale = head_dim^-0.5}, LayerNorm with eps 1e-5, exact GELU, and every dropout/drop-path
 * inactive (inference only).
 *
 * @param embedDim        channels after the patch embedding ({@code C}); stage {@code i} has {@code C * 2^i}
 * @param depths          number of {@code SwinTransformerBlock}s per stage
 * @param numHeads        attention heads per stage; must divide that stage's channels
 * @param windowSize      side of the square attention window (7 for 224 variants, 12 for 384 variants)
 * @param pretrainImgSize the image size the variant was pretrained at (only documents the variant: it would size
 *                        the absolute position embedding, which GroundingDINO does not use)
 * @param outIndices      stages whose (normalised) output is returned, strictly increasing; GroundingDINO uses
 *                        {@code [1, 2, 3]} ({@code return_interm_indices}); each gets a LayerNorm {@code norm<i>}
 * @param mlpRatio        MLP hidden width as a multiple of the block's channels
 * @param qkvBias         whether {@code attn.qkv} has a bias
 * @param patchSize       side of the square patches of the patch embedding (stride of stage 0)
 * @param inChans         input image channels
 * @param patchNorm       whether the patch embedding is followed by a LayerNorm ({@code patch_embed.norm})
 */
public record SwinConfig(int embedDim, List<Integer> depths, List<Integer> numHeads, int windowSize,
        int pretrainImgSize, List<Integer> outIndices, double mlpRatio, boolean qkvBias, int patchSize, int inChans,
        boolean patchNorm) {

    /** GroundingDINO's {@code return_interm_indices}: the outputs of stages 1, 2 and 3. */
    public static final List<Integer> GROUNDING_DINO_OUT_INDICES = List.of(1, 2, 3);

    /** Validates every dimension and makes the lists immutable. */
    public SwinConfig {
        requirePositive("embedDim", embedDim);
        requirePositive("windowSize", windowSize);
        requirePositive("pretrainImgSize", pretrainImgSize);
        requirePositive("patchSize", patchSize);
        requirePositive("inChans", inChans);
        if (depths == null || numHeads == null || outIndices == null) {
            throw new IllegalArgumentException("depths, numHeads and outIndices are required");
        }
        depths = List.copyOf(depths);
        numHeads = List.copyOf(numHeads);
        outIndices = List.copyOf(outIndices);
        if (depths.isEmpty()) {
            throw new IllegalArgumentException("depths must name at least one stage");
        }
        if (numHeads.size() != depths.size()) {
            throw new IllegalArgumentException("numHeads has " + numHeads.size() + " entries but depths has "
                    + depths.size() + "; give one head count per stage");
        }
        if (!(mlpRatio > 0) || Double.isInfinite(mlpRatio)) {
            throw new IllegalArgumentException("mlpRatio must be positive and finite, got " + mlpRatio);
        }
        for (int i = 0; i < depths.size(); i++) {
            requirePositive("depths[" + i + "]", depths.get(i));
            requirePositive("numHeads[" + i + "]", numHeads.get(i));
            long dim = (long) embedDim << i;
            if (dim > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("stage " + i + " would have " + dim + " channels (embedDim "
                        + embedDim + " * 2^" + i + "); use fewer stages or a smaller embedDim");
            }
            if (dim % numHeads.get(i) != 0) {
                throw new IllegalArgumentException("stage " + i + " has " + dim + " channels, not divisible by its "
                        + numHeads.get(i) + " heads (numHeads[" + i + "])");
            }
            if ((int) (dim * mlpRatio) < 1) {
                throw new IllegalArgumentException("mlpRatio " + mlpRatio + " gives stage " + i
                        + " an empty MLP hidden layer");
            }
        }
        if (outIndices.isEmpty()) {
            throw new IllegalArgumentException("outIndices must name at least one stage");
        }
        int previous = -1;
        for (int index : outIndices) {
            if (index < 0 || index >= depths.size()) {
                throw new IllegalArgumentException("outIndices entry " + index + " is not a stage index in [0, "
                        + depths.size() + ")");
            }
            if (index <= previous) {
                throw new IllegalArgumentException("outIndices must be strictly increasing, got " + outIndices);
            }
            previous = index;
        }
    }

    /**
     * Swin-T at 224 ({@code swin_T_224_1k}, GroundingDINO_SwinT_OGC): embed 96, depths [2, 2, 6, 2],
     * heads [3, 6, 12, 24], window 7, outputs of stages 1..3.
     */
    public static SwinConfig swinT224() {
        return custom(96, List.of(2, 2, 6, 2), List.of(3, 6, 12, 24), 7, 224);
    }

    /**
     * Swin-B at 384 ({@code swin_B_384_22k}, GroundingDINO_SwinB_cfg): embed 128, depths [2, 2, 18, 2],
     * heads [4, 8, 16, 32], window 12, outputs of stages 1..3.
     */
    public static SwinConfig swinB384() {
        return custom(128, List.of(2, 2, 18, 2), List.of(4, 8, 16, 32), 12, 384);
    }

    /**
     * Any dimensions with the defaults GroundingDINO's builder uses for the rest: outputs of stages 1..3 (so at
     * least 4 stages), MLP ratio 4, qkv bias, 4x4 patches, 3 input channels, patch norm.
     */
    public static SwinConfig custom(int embedDim, List<Integer> depths, List<Integer> numHeads, int windowSize,
            int pretrainImgSize) {
        return new SwinConfig(embedDim, depths, numHeads, windowSize, pretrainImgSize, GROUNDING_DINO_OUT_INDICES,
                4.0, true, 4, 3, true);
    }

    /** This configuration with other output stages. */
    public SwinConfig withOutIndices(List<Integer> indices) {
        return new SwinConfig(embedDim, depths, numHeads, windowSize, pretrainImgSize, indices, mlpRatio, qkvBias,
                patchSize, inChans, patchNorm);
    }

    /** Number of stages ({@code len(depths)}). */
    public int numLayers() {
        return depths.size();
    }

    /** Channels of stage {@code stage}: {@code embedDim * 2^stage} ({@code num_features[stage]}). */
    public int numFeatures(int stage) {
        checkStage(stage);
        return embedDim << stage;
    }

    /** Heads of stage {@code stage}. */
    public int heads(int stage) {
        checkStage(stage);
        return numHeads.get(stage);
    }

    /** Blocks of stage {@code stage}. */
    public int depth(int stage) {
        checkStage(stage);
        return depths.get(stage);
    }

    /** MLP hidden width of stage {@code stage}: {@code int(dim * mlpRatio)} as in the reference. */
    public int mlpHidden(int stage) {
        return (int) (numFeatures(stage) * mlpRatio);
    }

    /** Cyclic shift of the odd blocks: {@code windowSize / 2}. */
    public int shiftSize() {
        return windowSize / 2;
    }

    /** Channels of each returned level, in {@link #outIndices()} order ({@code Joiner.num_channels}). */
    public List<Integer> outChannels() {
        List<Integer> out = new ArrayList<>();
        for (int index : outIndices) {
            out.add(numFeatures(index));
        }
        return List.copyOf(out);
    }

    /** Stride in input pixels of each returned level: {@code patchSize * 2^stage} (8/16/32 for GroundingDINO). */
    public List<Integer> outStrides() {
        List<Integer> out = new ArrayList<>();
        for (int index : outIndices) {
            out.add(patchSize << index);
        }
        return List.copyOf(out);
    }

    private void checkStage(int stage) {
        if (stage < 0 || stage >= depths.size()) {
            throw new IndexOutOfBoundsException("stage " + stage + " not in [0, " + depths.size() + ")");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
