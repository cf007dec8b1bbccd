package dev.groundingdino.sam.internal.sam2.config;

import dev.groundingdino.CheckpointException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The hyper-parameters of a SAM 2.1 model ({@code sam2/configs/sam2.1/sam2.1_hiera_*.yaml}, the {@code model} node),
 * with the official presets {@link #hieraT()}, {@link #hieraS()}, {@link #hieraBPlus()}, {@link #hieraL()} and the
 * golden test model {@link #tiny()}.
 *
 * <p>What the four SAM 2.1 yaml files share is fixed here as constants (the {@code SAM2Base} flags
 * {@code use_high_res_features_in_sam}, {@code directly_add_no_mem_embed}, {@code iou_prediction_use_sigmoid},
 * {@code pred_obj_scores(_mlp)}, {@code use_obj_ptrs_in_encoder}, {@code use_mlp_for_obj_ptr_proj},
 * {@code proj_tpos_enc_in_obj_ptrs}, {@code no_obj_embed_spatial} are all on; the neck is 256-d with nearest
 * top-down; the memory path is 64-d with 7 memories); what differs between them is a component.
 *
 * @param name preset name ({@code sam2.1_hiera_t}, ...) or a caller's name
 * @param trunk the Hiera trunk
 * @param fpnTopDownLevels the FPN levels that receive top-down features ({@code fpn_top_down_levels}; level 0 is the
 *     highest resolution)
 * @param scalp lowest-resolution FPN levels discarded by {@code ImageEncoder} ({@code scalp})
 * @param memoryAttentionLayers {@code memory_attention.num_layers} (video only; declared for strict loading)
 * @param memoryAttentionFeedforward {@code memory_attention.layer.dim_feedforward} (video only)
 * @param dynamicMultimaskViaStability {@code MaskDecoder.dynamic_multimask_via_stability}: a single-mask prediction
 *     falls back to the best multimask output when its stability score is below 0.98. {@code build_sam2} turns it
 *     on ({@code apply_postprocessing=True}, the default), so the official presets have it; a model instantiated
 *     from the yaml alone (the golden test model) does not.
 */
public record Sam2Config(String name, HieraConfig trunk, List<Integer> fpnTopDownLevels, int scalp,
        int memoryAttentionLayers, int memoryAttentionFeedforward, boolean dynamicMultimaskViaStability) {

    /** {@code image_size}: side of the square encoder input. */
    public static final int IMAGE_SIZE = 1024;
    /** {@code backbone_stride}: the image embedding is {@code IMAGE_SIZE / 16 = 64} on a side. */
    public static final int BACKBONE_STRIDE = 16;
    /** {@code neck.d_model} = {@code hidden_dim} = the SAM heads' width. */
    public static final int D_MODEL = 256;
    /** {@code memory_encoder.out_dim} = {@code mem_dim} (video only). */
    public static final int MEM_DIM = 64;
    /** {@code num_maskmem} (video only). */
    public static final int NUM_MASKMEM = 7;
    /** The prompt encoder's {@code mask_in_chans}. */
    public static final int MASK_IN_CHANS = 16;
    /** {@code MaskDecoder.num_multimask_outputs}. */
    public static final int NUM_MULTIMASK_OUTPUTS = 3;
    /** {@code TwoWayTransformer(depth=2, embedding_dim=256, mlp_dim=2048, num_heads=8)}. */
    public static final int DECODER_DEPTH = 2;
    public static final int DECODER_MLP_DIM = 2048;
    public static final int DECODER_NUM_HEADS = 8;
    /** {@code attention_downsample_rate} of the two-way transformer's cross attentions. */
    public static final int ATTENTION_DOWNSAMPLE_RATE = 2;
    /** {@code build_sam2}'s {@code dynamic_multimask_stability_delta}. */
    public static final double STABILITY_DELTA = 0.05;
    /** {@code build_sam2}'s {@code dynamic_multimask_stability_thresh}. */
    public static final double STABILITY_THRESH = 0.98;
    /** {@code SAM2ImagePredictor.mask_threshold}. */
    public static final double MASK_THRESHOLD = 0.0;
    /** The predictor clamps the low-resolution logits it returns to [-32, 32]. */
    public static final double LOW_RES_CLAMP = 32.0;
    /** {@code MemoryEncoder.mask_downsampler}: kernel 3, stride 2, total stride 16. */
    public static final int MASK_DOWNSAMPLER_KERNEL = 3;
    public static final int MASK_DOWNSAMPLER_STRIDE = 2;
    public static final int MASK_DOWNSAMPLER_TOTAL_STRIDE = 16;
    /** {@code MemoryEncoder.fuser}: 2 CXBlocks of kernel 7. */
    public static final int FUSER_LAYERS = 2;
    public static final int FUSER_KERNEL = 7;

    public Sam2Config {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Sam2Config name must not be blank");
        }
        if (trunk == null) {
            throw new IllegalArgumentException("Sam2Config needs a Hiera trunk config");
        }
        int levels = trunk.stages().size();
        if (scalp < 0 || levels - scalp != 3) {
            throw new IllegalArgumentException("the SAM 2 image predictor needs exactly 3 feature levels (256, 128 "
                    + "and 64 on a side) after the scalp: " + levels + " Hiera stages with scalp " + scalp + " give "
                    + (levels - scalp));
        }
        if (IMAGE_SIZE / HieraConfig.PATCH_STRIDE % trunk.windowSpec().get(0) != 0) {
            throw new IllegalArgumentException("the first window size " + trunk.windowSpec().get(0)
                    + " must divide the first feature map side " + IMAGE_SIZE / HieraConfig.PATCH_STRIDE
                    + " (pos_embed_window is tiled over it)");
        }
        if (trunk.qPool() != levels - 1 || trunk.qStride() != 2) {
            throw new IllegalArgumentException("the SAM 2 feature pyramid halves the resolution at every stage: "
                    + "qPool must be stages - 1 = " + (levels - 1) + " and qStride 2, got " + trunk.qPool() + " and "
                    + trunk.qStride());
        }
        if (fpnTopDownLevels == null) {
            throw new IllegalArgumentException("fpnTopDownLevels must not be null (use an empty list)");
        }
        fpnTopDownLevels = List.copyOf(fpnTopDownLevels);
        for (int l : fpnTopDownLevels) {
            if (l < 0 || l >= levels) {
                throw new IllegalArgumentException("fpnTopDownLevels " + fpnTopDownLevels + " must be levels in [0, "
                        + levels + ")");
            }
        }
        if (memoryAttentionLayers <= 0 || memoryAttentionFeedforward <= 0) {
            throw new IllegalArgumentException("memoryAttentionLayers and memoryAttentionFeedforward must be "
                    + "positive, got " + memoryAttentionLayers + " and " + memoryAttentionFeedforward);
        }
    }

    /** {@code sam2.1_hiera_t.yaml}. */
    public static Sam2Config hieraT() {
        return official("sam2.1_hiera_t", 96, 1, List.of(1, 2, 7, 2), List.of(5, 7, 9), 7, List.of(8, 4, 14, 7));
    }

    /** {@code sam2.1_hiera_s.yaml}. */
    public static Sam2Config hieraS() {
        return official("sam2.1_hiera_s", 96, 1, List.of(1, 2, 11, 2), List.of(7, 10, 13), 7, List.of(8, 4, 14, 7));
    }

    /** {@code sam2.1_hiera_b+.yaml} (Hiera's defaults for stages, global blocks, windows and a 14x14 background). */
    public static Sam2Config hieraBPlus() {
        return official("sam2.1_hiera_b+", 112, 2, List.of(2, 3, 16, 3), List.of(12, 16, 20), 14,
                List.of(8, 4, 14, 7));
    }

    /** {@code sam2.1_hiera_l.yaml}. */
    public static Sam2Config hieraL() {
        return official("sam2.1_hiera_l", 144, 2, List.of(2, 6, 36, 4), List.of(23, 33, 43), 7, List.of(8, 4, 16, 8));
    }

    /**
     * The golden test model ({@code shared/golden/sam2/sam2.1-tiny_seed0/config.json}): {@code sam2.1_hiera_t.yaml}
     * with trunk embed_dim 16, stages [1, 2, 3, 1], global_att_blocks [4, 5], a 2-layer memory attention with a
     * 256-wide feed-forward, instantiated without {@code build_sam2}'s dynamic multimask.
     */
    public static Sam2Config tiny() {
        HieraConfig trunk = new HieraConfig(16, 1, List.of(1, 2, 3, 1), List.of(4, 5), 7, 7, List.of(8, 4, 14, 7), 3,
                2, 2, 2);
        return new Sam2Config("sam2.1_tiny_golden", trunk, List.of(2, 3), 1, 2, 256, false);
    }

    /**
     * Reads a config from JSON: the {@code model} node of an official {@code sam2.1_hiera_*.yaml} (as the golden
     * data's {@code config.json} holds it, under {@code "model"} or at the top level). Read: the trunk's
     * {@code embed_dim}, {@code num_heads}, {@code stages}, {@code global_att_blocks},
     * {@code window_pos_embed_bkg_spatial_size} and {@code window_spec}; the neck's {@code fpn_top_down_levels} and the
     * encoder's {@code scalp}; the memory attention's {@code num_layers} and {@code dim_feedforward}; and
     * {@code sam_mask_decoder_extra_args.dynamic_multimask_via_stability} (absent: off, as the yaml alone builds it).
     *
     * @throws dev.groundingdino.OptionException if the file cannot be read or lacks the trunk
     */
    public static Sam2Config fromJson(java.nio.file.Path file) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        } catch (java.io.IOException e) {
            throw new dev.groundingdino.OptionException("cannot read the SAM 2.1 config " + file + ": "
                    + e.getMessage(), e);
        }
        com.fasterxml.jackson.databind.JsonNode model = root.has("model") ? root.get("model") : root;
        com.fasterxml.jackson.databind.JsonNode encoder = model.path("image_encoder");
        com.fasterxml.jackson.databind.JsonNode trunk = encoder.path("trunk");
        if (trunk.isMissingNode() || !trunk.has("embed_dim")) {
            throw new dev.groundingdino.OptionException("the SAM 2.1 config " + file + " has no "
                    + "model.image_encoder.trunk.embed_dim; give the model node of a sam2.1_hiera_*.yaml as JSON");
        }
        java.util.List<Integer> bkg = ints(trunk.path("window_pos_embed_bkg_spatial_size"), List.of(14, 14));
        HieraConfig hiera = new HieraConfig(trunk.get("embed_dim").asInt(), trunk.path("num_heads").asInt(1),
                ints(trunk.path("stages"), List.of(2, 3, 16, 3)), ints(trunk.path("global_att_blocks"),
                        List.of(12, 16, 20)), bkg.get(0), bkg.get(1),
                ints(trunk.path("window_spec"), List.of(8, 4, 14, 7)), 3, 2, 2, 2);
        com.fasterxml.jackson.databind.JsonNode memory = model.path("memory_attention");
        String name = String.valueOf(file.getFileName());
        return new Sam2Config(name, hiera, ints(encoder.path("neck").path("fpn_top_down_levels"), List.of(2, 3)),
                encoder.path("scalp").asInt(1), memory.path("num_layers").asInt(4),
                memory.path("layer").path("dim_feedforward").asInt(2048),
                model.path("sam_mask_decoder_extra_args").path("dynamic_multimask_via_stability").asBoolean(false));
    }

    private static List<Integer> ints(com.fasterxml.jackson.databind.JsonNode node, List<Integer> fallback) {
        if (!node.isArray()) {
            return fallback;
        }
        java.util.List<Integer> out = new java.util.ArrayList<>();
        node.forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** The four official SAM 2.1 sizes, for variant recognition. */
    public static List<Sam2Config> presets() {
        return List.of(hieraT(), hieraS(), hieraBPlus(), hieraL());
    }

    private static Sam2Config official(String name, int embedDim, int heads, List<Integer> stages,
            List<Integer> global, int bkg, List<Integer> windows) {
        HieraConfig trunk = new HieraConfig(embedDim, heads, stages, global, bkg, bkg, windows, 3, 2, 2, 2);
        return new Sam2Config(name, trunk, List.of(2, 3), 1, 4, 2048, true);
    }

    /** This config with {@code dynamic_multimask_via_stability} set to {@code on}. */
    public Sam2Config withDynamicMultimask(boolean on) {
        return new Sam2Config(name, trunk, fpnTopDownLevels, scalp, memoryAttentionLayers, memoryAttentionFeedforward,
                on);
    }

    /** {@code backbone_channel_list}: the trunk's stage widths, lowest resolution first. */
    public List<Integer> backboneChannelList() {
        return trunk.channelList();
    }

    /** Side of the image embedding ({@code IMAGE_SIZE / BACKBONE_STRIDE}, 64). */
    public static int embeddingSize() {
        return IMAGE_SIZE / BACKBONE_STRIDE;
    }

    /** Side of the low-resolution mask logits (256). */
    public static int lowResMaskSize() {
        return 4 * embeddingSize();
    }

    /** A one-line description for messages. */
    public String describe() {
        return "SAM 2.1 " + name + " (Hiera embed_dim " + trunk.embedDim() + ", heads " + trunk.numHeads()
                + ", stages " + trunk.stages() + ", global attention " + trunk.globalAttBlocks() + ", windows "
                + trunk.windowSpec() + ", memory attention " + memoryAttentionLayers + " layers x "
                + memoryAttentionFeedforward + ")";
    }

    /**
     * The official config of a checkpoint, recognised from its tensor shapes (name to shape): the trunk width and
     * background size from {@code image_encoder.trunk.pos_embed}, the first window from {@code pos_embed_window},
     * the stages from where the blocks change width (the blocks with a {@code proj}). Heads, global-attention
     * blocks and the later windows are not visible in the tensors, so only the four official sizes are recognised.
     *
     * @throws CheckpointException if the shapes are not those of a SAM 2.1 model of an official size (the message
     *     says which config to pass instead)
     */
    public static Sam2Config infer(Map<String, long[]> shapes) {
        long[] pos = shapes.get("image_encoder.trunk.pos_embed");
        if (pos == null) {
            if (shapes.containsKey("image_encoder.pos_embed")) {
                throw new CheckpointException("This is a Segment Anything (SAM 1) checkpoint (it has "
                        + "'image_encoder.pos_embed' of a ViT encoder), not SAM 2.1: load it with the SAM 1 "
                        + "Segmenter, or give a SAM 2.1 checkpoint such as sam2.1_hiera_large.pt.");
            }
            List<String> some = new ArrayList<>(new TreeSet<>(shapes.keySet()));
            throw new CheckpointException("This is not a SAM 2.1 checkpoint: it has no 'image_encoder.trunk.pos_embed' "
                    + "tensor (first keys: " + some.subList(0, Math.min(5, some.size())) + "). Give an official "
                    + "checkpoint such as sam2.1_hiera_tiny.pt, sam2.1_hiera_small.pt, sam2.1_hiera_base_plus.pt or "
                    + "sam2.1_hiera_large.pt.");
        }
        long[] window = shapes.get("image_encoder.trunk.pos_embed_window");
        if (pos.length != 4 || window == null || window.length != 4) {
            throw new CheckpointException("image_encoder.trunk.pos_embed has shape " + Arrays.toString(pos)
                    + " and pos_embed_window " + Arrays.toString(window) + ", expected [1, C, h, w] and "
                    + "[1, C, w0, w0]: the checkpoint is not a SAM 2.1 Hiera image encoder.");
        }
        int embedDim = (int) pos[1];
        int depth = 0;
        List<Integer> stages = new ArrayList<>();
        int inStage = 0;
        while (shapes.containsKey("image_encoder.trunk.blocks." + depth + ".norm1.weight")) {
            if (depth > 0 && shapes.containsKey("image_encoder.trunk.blocks." + depth + ".proj.weight")) {
                stages.add(inStage);
                inStage = 0;
            }
            inStage++;
            depth++;
        }
        stages.add(inStage);
        for (Sam2Config preset : presets()) {
            HieraConfig t = preset.trunk();
            if (t.embedDim() == embedDim && t.stages().equals(stages) && t.windowPosEmbedBkgH() == pos[2]
                    && t.windowPosEmbedBkgW() == pos[3] && t.windowSpec().get(0) == window[2]) {
                return preset;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Sam2Config preset : presets()) {
            known.append(known.length() == 0 ? "" : ", ").append(preset.name()).append(" (embed_dim ")
                    .append(preset.trunk().embedDim()).append(", stages ").append(preset.trunk().stages()).append(')');
        }
        throw new CheckpointException("The SAM 2.1 checkpoint has a Hiera trunk of embed_dim " + embedDim
                + ", stages " + stages + ", background position embedding " + pos[2] + "x" + pos[3] + " and first "
                + "window " + window[2] + ", which is none of the official sizes: " + known + ". Its attention "
                + "heads, global-attention blocks and window sizes cannot be read from the tensors: give its "
                + "config, the model node of its sam2.1_hiera_*.yaml as JSON (Segmenter.builder(checkpoint)"
                + ".config(file), or gdino segment --sam-config FILE).");
    }
}
