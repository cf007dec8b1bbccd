package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.layers.OwnedTensors;
import dev.groundingdino.sam.internal.sam2.layers.MLP;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.sam.internal.sam2.backbones.ImageEncoder;
import dev.groundingdino.sam.internal.sam2.sam.MaskDecoder;
import dev.groundingdino.sam.internal.sam2.sam.PromptEncoder;
import dev.groundingdino.sam.internal.sam2.sam.TwoWayTransformer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/sam2_base.py::SAM2Base}: the whole SAM 2.1 module tree under its checkpoint names, and the
 * image path of {@code sam2/sam2_image_predictor.py::SAM2ImagePredictor} on tensors: {@code forward_image} +
 * {@code _prepare_backbone_features} + {@code no_mem_embed} ({@link #forwardImage}), and the prompt encoder + mask
 * decoder of {@code _predict} ({@link #predict}).
 *
 * <p>The video-only parts ({@link #isVideoOnly}: memory attention, memory encoder, object pointers, memory
 * embeddings) are declared so that a checkpoint is checked strictly and their weights are loaded for later video
 * work; nothing here reads them.
 *
 * <p>Holds references to the weight tensors only; whoever supplied them owns them. {@link #prepare} must run once
 * after loading (it computes the position-embedding constants). Every other method runs in the caller's inference
 * scope and creates no fields.
 */
public final class SAM2Base {
    /**
     * One image's features as {@code SAM2ImagePredictor._features} holds them.
     *
     * @param imageEmbed (B, 256, 64, 64): the 64x64 FPN level plus {@code no_mem_embed}
     * @param highResFeat0 (B, 32, 256, 256): {@code conv_s0} of the 256x256 FPN level
     * @param highResFeat1 (B, 64, 128, 128): {@code conv_s1} of the 128x128 FPN level
     */
    public record ImageFeatures(Tensor imageEmbed, Tensor highResFeat0, Tensor highResFeat1) {}

    /**
     * The decoder outputs of one {@code _predict} call.
     *
     * @param lowResMasks (B, C, 256, 256) mask logits, not clamped
     * @param iouPredictions (B, C) predicted IoUs (sigmoid'ed)
     * @param objectScoreLogits (B, 1) object-presence logits ({@code pred_obj_score_head})
     */
    public record Prediction(Tensor lowResMasks, Tensor iouPredictions, Tensor objectScoreLogits) {}

    /** Checkpoint prefixes of the video-only modules. */
    private static final List<String> VIDEO_PREFIXES = List.of("mask_downsample.", "memory_attention.",
            "memory_encoder.", "obj_ptr_proj.", "obj_ptr_tpos_proj.");
    /** Checkpoint keys of the video-only parameters of SAM2Base itself. */
    private static final List<String> VIDEO_KEYS = List.of("maskmem_tpos_enc", "no_mem_pos_enc", "no_obj_ptr",
            "no_obj_embed_spatial");

    private final Sam2Config cfg;
    private final Tensor maskmemTposEnc;
    private final Tensor noMemEmbed;
    private final Tensor noMemPosEnc;
    private final Tensor noObjPtr;
    private final Tensor noObjEmbedSpatial;
    private final ImageEncoder imageEncoder;
    private final Tensor maskDownsampleWeight;
    private final Tensor maskDownsampleBias;
    private final MemoryAttention memoryAttention;
    private final MemoryEncoder memoryEncoder;
    private final PromptEncoder samPromptEncoder;
    private final MaskDecoder samMaskDecoder;
    private final MLP objPtrProj;
    private final Linear objPtrTposProj;

    /** Builds the model, declaring (and in load mode fetching) every tensor under {@code root}, in state_dict order. */
    public SAM2Base(Sam2Config cfg, ParamTree root) {
        this.cfg = cfg;
        int d = Sam2Config.D_MODEL;
        int mem = Sam2Config.MEM_DIM;
        this.maskmemTposEnc = root.param("maskmem_tpos_enc", Sam2Config.NUM_MASKMEM, 1, 1, mem);
        this.noMemEmbed = root.param("no_mem_embed", 1, 1, d);
        this.noMemPosEnc = root.param("no_mem_pos_enc", 1, 1, d);
        this.noObjPtr = root.param("no_obj_ptr", 1, d);
        this.noObjEmbedSpatial = root.param("no_obj_embed_spatial", 1, mem);
        this.imageEncoder = new ImageEncoder(cfg, root.child("image_encoder"));
        this.maskDownsampleWeight = root.child("mask_downsample").param("weight", 1, 1, 4, 4);
        this.maskDownsampleBias = root.child("mask_downsample").param("bias", 1);
        this.memoryAttention = new MemoryAttention(root.child("memory_attention"), d, cfg.memoryAttentionLayers(),
                cfg.memoryAttentionFeedforward(), mem);
        this.memoryEncoder = new MemoryEncoder(root.child("memory_encoder"), d, mem);
        this.samPromptEncoder = new PromptEncoder(root.child("sam_prompt_encoder"), d, Sam2Config.embeddingSize(),
                Sam2Config.IMAGE_SIZE, Sam2Config.MASK_IN_CHANS);
        this.samMaskDecoder = new MaskDecoder(root.child("sam_mask_decoder"),
                new TwoWayTransformer.Spec(Sam2Config.DECODER_DEPTH, d, Sam2Config.DECODER_NUM_HEADS,
                        Sam2Config.DECODER_MLP_DIM, Sam2Config.ATTENTION_DOWNSAMPLE_RATE),
                Sam2Config.NUM_MULTIMASK_OUTPUTS, 3, 256, cfg.dynamicMultimaskViaStability(),
                Sam2Config.STABILITY_DELTA, Sam2Config.STABILITY_THRESH);
        this.objPtrProj = new MLP(root.child("obj_ptr_proj"), d, d, d, 3);
        this.objPtrTposProj = new Linear(d, mem, root.child("obj_ptr_tpos_proj"));
    }

    /** Builds a model of {@code cfg} with tensors fetched by full name from {@code source}; call {@link #prepare}. */
    public static SAM2Base load(Sam2Config cfg, Function<String, Tensor> source) {
        return new SAM2Base(cfg, ParamTree.load(source));
    }

    /** Every tensor name and shape a {@code cfg} model expects, in state_dict order (no weights needed). */
    public static Map<String, long[]> expectedTensors(Sam2Config cfg) {
        ParamTree root = ParamTree.declare();
        new SAM2Base(cfg, root);
        return root.declared();
    }

    /** True for the checkpoint keys only the video path reads (memory attention/encoder, object pointers, ...). */
    public static boolean isVideoOnly(String name) {
        return VIDEO_KEYS.contains(name) || VIDEO_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /**
     * True for the tensors of the Hiera trunk ({@code image_encoder.trunk.*}), which run in the reduced precision
     * when one is asked for; the neck, the prompt encoder and the mask decoder always run in float32.
     */
    public static boolean inTrunkPrecision(String name) {
        return name.startsWith("image_encoder.trunk.");
    }

    /** Computes the load-time constants on the weights' device; the caller owns them through {@code owned}. */
    public void prepare(OwnedTensors owned) {
        imageEncoder.prepare(owned);
        samPromptEncoder.prepare(owned);
    }

    /**
     * {@code set_image} after the transforms: {@code forward_image} (trunk, neck, scalp, {@code conv_s0/conv_s1} on
     * the two high-resolution levels), {@code _prepare_backbone_features}, and {@code no_mem_embed} added to the
     * lowest-resolution features ({@code directly_add_no_mem_embed}). The FPN levels are freed on return.
     *
     * @param preprocessed (B, 3, 1024, 1024) float32
     */
    public ImageFeatures forwardImage(Tensor preprocessed) {
        List<Tensor> out = Scopes.tensors(() -> {
            List<Tensor> fpn = imageEncoder.forward(preprocessed); // 256, 128, 64 on a side
            Tensor s0 = samMaskDecoder.convS0(fpn.get(0)); // (B, 32, 256, 256)
            Tensor s1 = samMaskDecoder.convS1(fpn.get(1)); // (B, 64, 128, 128)
            Tensor top = fpn.get(2); // (B, 256, 64, 64)
            long b = top.size(0);
            Tensor visionFeats = top.flatten(2, -1).permute(2, 0, 1); // (HW, B, C)
            visionFeats = visionFeats.add(noMemEmbed); // (HW, B, C) + (1, 1, C)
            int side = Sam2Config.embeddingSize();
            Tensor embed = visionFeats.permute(1, 2, 0).view(b, -1, side, side); // (B, C, 64, 64)
            return List.of(embed, s0, s1);
        });
        return new ImageFeatures(out.get(0), out.get(1), out.get(2));
    }

    /**
     * {@code SAM2ImagePredictor._predict} after the prompt concatenation: prompt encoder ({@code boxes=None}, the
     * boxes arrive as corner points labelled 2 and 3) and mask decoder with the high-resolution features. The image
     * embedding is repeated per prompt when the batch has more than one ({@code batched_mode}).
     *
     * @param features one image's features (batch 1)
     * @param coords (B, N, 2) float32 pixel coordinates in the 1024 frame, or null
     * @param labels (B, N) int labels, or null
     * @param maskInput (B, 1, 256, 256) or (1, 1, 256, 256) mask logits, or null
     */
    public Prediction predict(ImageFeatures features, Tensor coords, Tensor labels, Tensor maskInput,
            boolean multimaskOutput) {
        PromptEncoder.Embeddings prompts = samPromptEncoder.forward(coords, labels, maskInput);
        boolean batchedMode = coords != null && coords.size(0) > 1;
        MaskDecoder.Output out = samMaskDecoder.forward(features.imageEmbed(), samPromptEncoder.densePe(),
                prompts.sparse(), prompts.dense(), multimaskOutput, batchedMode, features.highResFeat0(),
                features.highResFeat1());
        return new Prediction(out.masks(), out.iouPredictions(), out.objectScoreLogits());
    }

    public Sam2Config config() {
        return cfg;
    }

    public ImageEncoder imageEncoder() {
        return imageEncoder;
    }

    public PromptEncoder samPromptEncoder() {
        return samPromptEncoder;
    }

    public MaskDecoder samMaskDecoder() {
        return samMaskDecoder;
    }

    public MemoryAttention memoryAttention() {
        return memoryAttention;
    }

    public MemoryEncoder memoryEncoder() {
        return memoryEncoder;
    }

    /** The video-only tensors held directly by SAM2Base (for the later video path). */
    Tensor[] videoParameters() {
        return new Tensor[] {maskmemTposEnc, noMemPosEnc, noObjPtr, noObjEmbedSpatial, maskDownsampleWeight,
                maskDownsampleBias};
    }

    MLP objPtrProj() {
        return objPtrProj;
    }

    Linear objPtrTposProj() {
        return objPtrTposProj;
    }
}
