package dev.groundingdino.sam.internal.config;

import dev.groundingdino.CheckpointException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The hyper-parameters of a Segment Anything model ({@code segment_anything/build_sam.py::_build_sam}), with the
 * official presets {@link #vitB()}, {@link #vitL()}, {@link #vitH()} and the golden test config {@link #tiny()}.
 *
 * <p>Only the image encoder differs between the released variants; the prompt encoder and mask decoder are fixed by
 * the builder (256-d prompts, two-way transformer of depth 2 with 8 heads and MLP 2048, 3 multimask outputs, IoU
 * head 3 x 256).
 *
 * @param name preset name ("vit_b", "vit_l", "vit_h", "tiny") or "custom"
 * @param encoderEmbedDim ViT width
 * @param encoderDepth number of ViT blocks
 * @param encoderNumHeads attention heads per ViT block
 * @param encoderGlobalAttnIndexes blocks with global (not windowed) attention, ascending
 * @param imageSize side of the square encoder input (1024)
 * @param patchSize ViT patch size (16)
 * @param windowSize window of the windowed attention blocks (14)
 * @param mlpRatio ViT MLP width / embed dim (4)
 * @param promptEmbedDim prompt/decoder width and encoder output channels (256)
 * @param maskInChans hidden channels of the mask-input downscaler (16)
 * @param numMultimaskOutputs masks of a multimask prediction (3)
 * @param decoderDepth two-way transformer depth (2)
 * @param decoderNumHeads two-way transformer heads (8)
 * @param decoderMlpDim two-way transformer MLP width (2048)
 * @param attentionDownsampleRate internal-width divisor of the cross attentions (2)
 * @param iouHeadDepth layers of the IoU prediction MLP (3)
 * @param iouHeadHiddenDim width of the IoU prediction MLP (256)
 */
public record SamConfig(String name, int encoderEmbedDim, int encoderDepth, int encoderNumHeads,
        List<Integer> encoderGlobalAttnIndexes, int imageSize, int patchSize, int windowSize, int mlpRatio,
        int promptEmbedDim, int maskInChans, int numMultimaskOutputs, int decoderDepth, int decoderNumHeads,
        int decoderMlpDim, int attentionDownsampleRate, int iouHeadDepth, int iouHeadHiddenDim) {

    /** Threshold on mask logits ({@code Sam.mask_threshold}). */
    public static final float MASK_THRESHOLD = 0.0f;
    /** Encoder LayerNorm epsilon ({@code partial(torch.nn.LayerNorm, eps=1e-6)}). */
    public static final double ENCODER_NORM_EPS = 1e-6;
    /** {@code LayerNorm2d} default epsilon. */
    public static final double LAYER_NORM_2D_EPS = 1e-6;
    /** Two-way transformer LayerNorm epsilon ({@code nn.LayerNorm} default). */
    public static final double DECODER_NORM_EPS = 1e-5;

    public SamConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("SamConfig name must not be blank");
        }
        positive("encoderEmbedDim", encoderEmbedDim);
        positive("encoderDepth", encoderDepth);
        positive("encoderNumHeads", encoderNumHeads);
        positive("imageSize", imageSize);
        positive("patchSize", patchSize);
        positive("windowSize", windowSize);
        positive("mlpRatio", mlpRatio);
        positive("promptEmbedDim", promptEmbedDim);
        positive("maskInChans", maskInChans);
        positive("numMultimaskOutputs", numMultimaskOutputs);
        positive("decoderDepth", decoderDepth);
        positive("decoderNumHeads", decoderNumHeads);
        positive("decoderMlpDim", decoderMlpDim);
        positive("attentionDownsampleRate", attentionDownsampleRate);
        positive("iouHeadDepth", iouHeadDepth);
        positive("iouHeadHiddenDim", iouHeadHiddenDim);
        if (encoderEmbedDim % encoderNumHeads != 0) {
            throw new IllegalArgumentException("encoderEmbedDim " + encoderEmbedDim
                    + " must be divisible by encoderNumHeads " + encoderNumHeads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("imageSize " + imageSize + " must be a multiple of patchSize " + patchSize);
        }
        if (promptEmbedDim % 8 != 0) {
            throw new IllegalArgumentException("promptEmbedDim " + promptEmbedDim
                    + " must be divisible by 8 (the mask decoder upscales to promptEmbedDim / 8 channels)");
        }
        if (maskInChans % 4 != 0) {
            throw new IllegalArgumentException("maskInChans " + maskInChans + " must be divisible by 4");
        }
        if ((promptEmbedDim / attentionDownsampleRate) % decoderNumHeads != 0 || promptEmbedDim % decoderNumHeads != 0) {
            throw new IllegalArgumentException("decoderNumHeads " + decoderNumHeads + " must divide promptEmbedDim "
                    + promptEmbedDim + " and promptEmbedDim / attentionDownsampleRate "
                    + (promptEmbedDim / attentionDownsampleRate));
        }
        if (encoderGlobalAttnIndexes == null) {
            throw new IllegalArgumentException("encoderGlobalAttnIndexes must not be null (use an empty list)");
        }
        encoderGlobalAttnIndexes = List.copyOf(encoderGlobalAttnIndexes);
        int previous = -1;
        for (int i : encoderGlobalAttnIndexes) {
            if (i <= previous || i >= encoderDepth) {
                throw new IllegalArgumentException("encoderGlobalAttnIndexes " + encoderGlobalAttnIndexes
                        + " must be ascending block indexes in [0, encoderDepth=" + encoderDepth + ")");
            }
            previous = i;
        }
    }

    /** {@code build_sam_vit_b}: 768-d, 12 blocks, 12 heads, global attention in blocks 2, 5, 8, 11. */
    public static SamConfig vitB() {
        return standard("vit_b", 768, 12, 12, List.of(2, 5, 8, 11));
    }

    /** {@code build_sam_vit_l}: 1024-d, 24 blocks, 16 heads, global attention in blocks 5, 11, 17, 23. */
    public static SamConfig vitL() {
        return standard("vit_l", 1024, 24, 16, List.of(5, 11, 17, 23));
    }

    /** {@code build_sam_vit_h}: 1280-d, 32 blocks, 16 heads, global attention in blocks 7, 15, 23, 31. */
    public static SamConfig vitH() {
        return standard("vit_h", 1280, 32, 16, List.of(7, 15, 23, 31));
    }

    /** The golden test model: {@code _build_sam(64, 2, 2, [1])}, everything else as the official builder. */
    public static SamConfig tiny() {
        return standard("tiny", 64, 2, 2, List.of(1));
    }

    /** Every preset, for variant detection. */
    public static List<SamConfig> presets() {
        return List.of(vitB(), vitL(), vitH(), tiny());
    }

    /** {@code _build_sam} with the given encoder and the builder's fixed prompt encoder / mask decoder. */
    public static SamConfig standard(String name, int embedDim, int depth, int numHeads, List<Integer> globalAttn) {
        return new SamConfig(name, embedDim, depth, numHeads, globalAttn, 1024, 16, 14, 4, 256, 16, 3, 2, 8, 2048, 2,
                3, 256);
    }

    /** Encoder feature map side ({@code imageSize / patchSize}, 64). */
    public int embeddingSize() {
        return imageSize / patchSize;
    }

    /** Side of the low-resolution mask logits (4 x {@link #embeddingSize()}, 256). */
    public int lowResMaskSize() {
        return 4 * embeddingSize();
    }

    /** Mask tokens of the decoder ({@code numMultimaskOutputs + 1}). */
    public int numMaskTokens() {
        return numMultimaskOutputs + 1;
    }

    /** True if block {@code i} of the image encoder uses global attention. */
    public boolean isGlobalAttention(int i) {
        return encoderGlobalAttnIndexes.contains(i);
    }

    /**
     * The config of a checkpoint, inferred from its tensor shapes (name -> shape): width from {@code pos_embed},
     * depth from the block count, head dim (hence heads) and the global-attention blocks from the
     * {@code rel_pos_h} tables (global blocks have {@code 2 * 64 - 1} rows, windowed ones {@code 2 * 14 - 1}).
     * Returns the matching preset when there is one, otherwise a "custom" config with the builder's fixed parts.
     *
     * @throws CheckpointException if the shapes are not those of a Segment Anything image encoder
     */
    public static SamConfig infer(Map<String, long[]> shapes) {
        long[] pos = shapes.get("image_encoder.pos_embed");
        if (pos == null) {
            List<String> some = new ArrayList<>(new TreeSet<>(shapes.keySet()));
            throw new CheckpointException("This is not a Segment Anything checkpoint: it has no "
                    + "'image_encoder.pos_embed' tensor (first keys: "
                    + some.subList(0, Math.min(5, some.size())) + "). Load a SAM state_dict such as "
                    + "sam_vit_b_01ec64.pth, sam_vit_l_0b3195.pth or sam_vit_h_4b8939.pth.");
        }
        if (pos.length != 4 || pos[0] != 1 || pos[1] != pos[2]) {
            throw new CheckpointException("image_encoder.pos_embed has shape " + Arrays.toString(pos)
                    + ", expected [1, S, S, C]; the checkpoint is not a Segment Anything ViT image encoder.");
        }
        int embedDim = (int) pos[3];
        int embeddingSize = (int) pos[1];
        int depth = 0;
        while (shapes.containsKey("image_encoder.blocks." + depth + ".attn.rel_pos_h")) {
            depth++;
        }
        if (depth == 0) {
            throw new CheckpointException("The checkpoint has no image_encoder.blocks.N.attn.rel_pos_h tensors; "
                    + "only Segment Anything checkpoints with relative positions (all released ones) are supported.");
        }
        long headDim = -1;
        List<Integer> global = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            long[] rel = shapes.get("image_encoder.blocks." + i + ".attn.rel_pos_h");
            if (rel.length != 2) {
                throw new CheckpointException("image_encoder.blocks." + i + ".attn.rel_pos_h has shape "
                        + Arrays.toString(rel) + ", expected [2 * size - 1, head_dim].");
            }
            if (headDim < 0) {
                headDim = rel[1];
            }
            if (rel[0] == 2L * embeddingSize - 1) {
                global.add(i);
            }
        }
        if (headDim <= 0 || embedDim % headDim != 0) {
            throw new CheckpointException("Cannot infer the attention heads: embed dim " + embedDim
                    + " is not a multiple of the rel_pos head dim " + headDim + ".");
        }
        int heads = (int) (embedDim / headDim);
        for (SamConfig preset : presets()) {
            if (preset.encoderEmbedDim == embedDim && preset.encoderDepth == depth
                    && preset.encoderNumHeads == heads && preset.encoderGlobalAttnIndexes.equals(global)) {
                return preset;
            }
        }
        return standard("custom", embedDim, depth, heads, global);
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
