package dev.groundingdino.sam.internal;

import dev.groundingdino.sam.internal.config.SamConfig;
import static org.bytedeco.pytorch.global.torch.gt;
import static org.bytedeco.pytorch.global.torch.upsample_bilinear2d;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.decoder.MaskDecoder;
import dev.groundingdino.sam.internal.encoder.ImageEncoderViT;
import dev.groundingdino.sam.internal.prompt.PromptEncoder;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code segment_anything/modeling/sam.py::Sam} with the prediction path of
 * {@code segment_anything/predictor.py::SamPredictor}: the {@link ImageEncoderViT}, {@link PromptEncoder} and
 * {@link MaskDecoder} under their checkpoint prefixes {@code image_encoder}, {@code prompt_encoder},
 * {@code mask_decoder}, plus {@code postprocess_masks} and the {@code > mask_threshold} binarisation.
 *
 * <p>Holds references to the weight tensors only; whoever supplied them (a state dict) owns them. Every method runs
 * in the caller's inference scope and creates no fields.
 */
public final class Sam {
    /** Low-resolution logits (B, C, 256, 256) and predicted IoUs (B, C) of one prediction. */
    public record Prediction(Tensor lowResLogits, Tensor iouPredictions) {}

    private final SamConfig cfg;
    private final ImageEncoderViT imageEncoder;
    private final PromptEncoder promptEncoder;
    private final MaskDecoder maskDecoder;

    /** Builds the model, declaring (and in load mode fetching) every tensor under {@code root}. */
    public Sam(SamConfig cfg, ParamTree root) {
        this.cfg = cfg;
        this.imageEncoder = new ImageEncoderViT(cfg, root.child("image_encoder"));
        this.promptEncoder = new PromptEncoder(cfg, root.child("prompt_encoder"));
        this.maskDecoder = new MaskDecoder(cfg, root.child("mask_decoder"));
    }

    /** Loads a model of config {@code cfg} with tensors fetched by full name from {@code source} (CPU, float32). */
    public static Sam load(SamConfig cfg, Function<String, Tensor> source) {
        return new Sam(cfg, ParamTree.load(source));
    }

    /**
     * Loads a model for {@code placement} from {@code tree} (tensors already on the placement's device); its constants
     * ({@code tree.owned()}) belong to the caller.
     */
    public static Sam load(SamConfig cfg, ParamTree tree) {
        return new Sam(cfg, tree);
    }

    /**
     * Whether tensor {@code name} belongs to the part of the model that runs in reduced precision when one is asked
     * for: the image encoder's patch embedding, position embedding and ViT blocks (95% of the arithmetic). The neck
     * (whose {@code LayerNorm2d} follows the reference's explicit float32 mean/variance), the prompt encoder and the
     * mask decoder always run in float32, and the image embedding is float32.
     */
    public static boolean inEncoderPrecision(String name) {
        return name.startsWith("image_encoder.") && !name.startsWith("image_encoder.neck.");
    }

    /** Every tensor name and shape a {@code cfg} model expects, in state_dict order (no weights needed). */
    public static Map<String, long[]> expectedTensors(SamConfig cfg) {
        ParamTree root = ParamTree.declare();
        new Sam(cfg, root);
        return root.declared();
    }

    public SamConfig config() {
        return cfg;
    }

    public ImageEncoderViT imageEncoder() {
        return imageEncoder;
    }

    public PromptEncoder promptEncoder() {
        return promptEncoder;
    }

    public MaskDecoder maskDecoder() {
        return maskDecoder;
    }

    /** {@code image_encoder(preprocess(x))} for an already preprocessed {@code (1, 3, 1024, 1024)} input. */
    public Tensor embed(Tensor preprocessed) {
        return imageEncoder.forward(preprocessed); // (1, 256, 64, 64)
    }

    /**
     * {@code SamPredictor.predict_torch(None, None, boxes, None, multimask_output)} up to the low-resolution
     * outputs: prompt encoder, dense PE, mask decoder with the image embedding repeated per box.
     *
     * @param imageEmbedding (1, 256, 64, 64)
     * @param boxes (B, 4) float32 xyxy in the resized 1024 input frame ({@code apply_boxes} output)
     */
    public Prediction predictBoxes(Tensor imageEmbedding, Tensor boxes, boolean multimaskOutput) {
        return predict(imageEmbedding, null, null, boxes, multimaskOutput);
    }

    /**
     * {@code SamPredictor.predict_torch(point_coords, point_labels, boxes, None, multimask_output)} up to the
     * low-resolution outputs.
     *
     * @param pointCoords (B, N, 2) in the 1024 input frame, or null
     * @param pointLabels (B, N) int64: 1 foreground, 0 background, or null
     * @param boxes (B, 4) xyxy in the 1024 input frame, or null
     */
    public Prediction predict(Tensor imageEmbedding, Tensor pointCoords, Tensor pointLabels, Tensor boxes,
            boolean multimaskOutput) {
        PromptEncoder.Embeddings prompts = promptEncoder.forward(pointCoords, pointLabels, boxes, null);
        MaskDecoder.Output out = maskDecoder.forward(imageEmbedding, promptEncoder.densePe(), prompts.sparse(),
                prompts.dense(), multimaskOutput);
        return new Prediction(out.masks(), out.iouPredictions());
    }

    /**
     * {@code Sam.postprocess_masks}: bilinear (align_corners=False, no antialias) to {@code imageSize^2}, crop to the
     * resized input size, bilinear to the original size. {@code (B, C, 256, 256) -> (B, C, origH, origW)}.
     */
    public Tensor postprocessMasks(Tensor lowRes, int inputH, int inputW, int originalH, int originalW) {
        int s = cfg.imageSize();
        Tensor masks = upsample_bilinear2d(lowRes, new long[] {s, s}, false); // (B, C, 1024, 1024)
        masks = masks.narrow(2, 0, inputH).narrow(3, 0, inputW); // (B, C, inputH, inputW)
        return upsample_bilinear2d(masks, new long[] {originalH, originalW}, false); // (B, C, H, W)
    }

    /** {@code masks > mask_threshold} (bool). */
    public static Tensor binarize(Tensor upscaledLogits) {
        return gt(upscaledLogits, new Scalar((double) SamConfig.MASK_THRESHOLD));
    }
}
