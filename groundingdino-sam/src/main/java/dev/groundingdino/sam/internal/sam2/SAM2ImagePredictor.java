package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.UsageLock;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.sam.internal.sam2.utils.SAM2Transforms;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/sam2_image_predictor.py::SAM2ImagePredictor} without its per-image state: {@link #embed} is
 * {@code set_image} and returns the features instead of keeping them, {@link #predict} is {@code predict} (prompt
 * transforms, {@code _prep_prompts}, {@code _predict} with boxes as two corner points labelled 2 and 3 placed BEFORE
 * the points), and {@link #upscale} is the {@code postprocess_masks} + {@code > mask_threshold} part of
 * {@code _predict}. No hole filling ({@code max_hole_area = 0}).
 *
 * <p>The internal entry point for SAM 2.1 image prompting. Owns the weights ({@link Sam2Checkpoint}); immutable and
 * thread-safe; every call runs in its own inference scope and returns plain Java objects (or owned features).
 * {@link #close()} waits for calls in progress. For tensor-level use (no host copies between the decoder and the
 * upscaling), call {@link #model()} inside an {@link InferenceScope} with {@link Sam2ImageFeatures#use}.
 */
@SuppressWarnings("try") // inference scopes free native temporaries without being referenced
public final class SAM2ImagePredictor implements AutoCloseable {
    private final Sam2Checkpoint checkpoint;
    private final UsageLock usage;

    private SAM2ImagePredictor(Sam2Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
        this.usage = new UsageLock(() -> "this SAM 2.1 predictor (" + checkpoint.config().name() + ") is closed; "
                + "load the model again");
    }

    /**
     * Loads a checkpoint (see {@link Sam2Checkpoint#load}).
     *
     * @param config the model config, or null to recognise an official size from the tensors
     */
    public static SAM2ImagePredictor load(Path checkpoint, Sam2Config config, Device device, Precision precision) {
        return new SAM2ImagePredictor(Sam2Checkpoint.load(checkpoint, config, device, precision));
    }

    /** Loads an in-memory state dict, which the predictor then owns (see {@link Sam2Checkpoint#of}). */
    public static SAM2ImagePredictor load(StateDict stateDict, Sam2Config config, Device device, Precision precision) {
        return new SAM2ImagePredictor(Sam2Checkpoint.of(stateDict, config, device, precision));
    }

    /**
     * {@code set_image}: transforms the image ({@link SAM2Transforms#toInput}) and runs the image encoder. The caller
     * closes the returned features.
     */
    public Sam2ImageFeatures embed(RgbImage image) {
        return usage.whileOpen(() -> {
            try (InferenceScope scope = InferenceScope.open()) {
                Tensor input = SAM2Transforms.toInput(image, checkpoint.torchDevice()); // (1, 3, 1024, 1024)
                SAM2Base.ImageFeatures f = checkpoint.model().forwardImage(input);
                return new Sam2ImageFeatures(this, f, image.height(), image.width());
            }
        });
    }

    /**
     * {@code predict(point_coords, point_labels, box, mask_input, multimask_output)} up to the low-resolution
     * outputs, copied to Java arrays.
     *
     * @throws IllegalArgumentException if the features come from another predictor
     * @throws IllegalStateException if the predictor or the features are closed
     */
    public Sam2Prediction predict(Sam2ImageFeatures features, Sam2Prompt prompt, boolean multimaskOutput) {
        checkOwner(features);
        return usage.whileOpen(() -> features.use(f -> {
            try (InferenceScope scope = InferenceScope.open()) {
                SAM2Base.Prediction p = predictTensors(f, prompt, multimaskOutput, features.originalHeight(),
                        features.originalWidth());
                int b = (int) p.lowResMasks().size(0);
                int c = (int) p.lowResMasks().size(1);
                return new Sam2Prediction(b, c, HostTensors.toFloats(p.lowResMasks()),
                        HostTensors.toFloats(p.iouPredictions()), HostTensors.toFloats(p.objectScoreLogits()));
            }
        }));
    }

    /**
     * {@link #predict(Sam2ImageFeatures, Sam2Prompt, boolean)} with the prompts as arrays ({@link Sam2Prompt#of}):
     * {@code boxes} B x 4 or null, {@code points} B x N x 2 or null, {@code labels} B x N, in original pixels.
     */
    public Sam2Prediction predict(Sam2ImageFeatures features, float[][] boxes, float[][][] points, int[][] labels,
            boolean multimaskOutput) {
        return predict(features, Sam2Prompt.of(boxes, points, labels), multimaskOutput);
    }

    /**
     * The masks of a prediction at the original image size: {@code postprocess_masks} of the (unclamped) logits,
     * then {@code > 0}.
     */
    public Sam2Masks upscale(Sam2ImageFeatures features, Sam2Prediction prediction) {
        checkOwner(features);
        int h = features.originalHeight();
        int w = features.originalWidth();
        return usage.whileOpen(() -> {
            try (InferenceScope scope = InferenceScope.open()) {
                Tensor low = HostTensors.floats(prediction.rawLowResLogits(), checkpoint.torchDevice(),
                        prediction.lowResShape()); // (B, C, 256, 256)
                Tensor masks = SAM2Transforms.binarize(SAM2Transforms.postprocessMasks(low, h, w)); // (B, C, H, W)
                return new Sam2Masks(prediction.batch(), prediction.masksPerPrompt(), h, w,
                        HostTensors.toBools(masks));
            }
        });
    }

    /**
     * {@code _prep_prompts} + {@code _predict} on tensors, in the caller's inference scope: coordinates normalised by
     * the original size and scaled to 1024 (float32), box corners labelled 2 and 3 concatenated BEFORE the points.
     */
    public SAM2Base.Prediction predictTensors(SAM2Base.ImageFeatures f, Sam2Prompt prompt, boolean multimaskOutput,
            int originalHeight, int originalWidth) {
        org.bytedeco.pytorch.Device device = checkpoint.torchDevice();
        int b = prompt.batch();
        int boxPoints = prompt.boxes() != null ? 2 : 0;
        int n = boxPoints + prompt.pointsPerPrompt();
        Tensor coords = null;
        Tensor labels = null;
        if (n > 0) {
            float[] xy = new float[b * n * 2];
            int[] lab = new int[b * n];
            float[] boxes = prompt.boxes() == null ? null
                    : SAM2Transforms.transformCoords(prompt.boxes(), originalHeight, originalWidth);
            float[] points = prompt.points() == null ? null
                    : SAM2Transforms.transformCoords(prompt.points(), originalHeight, originalWidth);
            for (int i = 0; i < b; i++) {
                if (boxes != null) {
                    System.arraycopy(boxes, 4 * i, xy, 2 * n * i, 4); // box.reshape(-1, 2, 2)
                    lab[n * i] = 2;
                    lab[n * i + 1] = 3;
                }
                if (points != null) {
                    int m = prompt.pointsPerPrompt();
                    System.arraycopy(points, 2 * m * i, xy, 2 * n * i + 2 * boxPoints, 2 * m);
                    System.arraycopy(prompt.labels(), m * i, lab, n * i + boxPoints, m);
                }
            }
            coords = HostTensors.floats(xy, device, b, n, 2); // (B, N, 2)
            labels = HostTensors.ints(lab, device, b, n); // (B, N)
        }
        Tensor mask = null;
        if (prompt.maskInput() != null) {
            int side = Sam2Config.lowResMaskSize();
            mask = HostTensors.floats(prompt.maskInput(), device, prompt.maskInputCount(), 1, side, side);
        }
        return checkpoint.model().predict(f, coords, labels, mask, multimaskOutput);
    }

    private void checkOwner(Sam2ImageFeatures features) {
        if (features == null) {
            throw new IllegalArgumentException("features are null; create them with embed(image)");
        }
        if (features.owner() != this) {
            throw new IllegalArgumentException("these SAM 2 image features were made by another predictor; embed "
                    + "the image with this one");
        }
    }

    /** The module tree (tensor-level use inside an {@link InferenceScope}). */
    public SAM2Base model() {
        return checkpoint.model();
    }

    public Sam2Config config() {
        return checkpoint.config();
    }

    public Device device() {
        return checkpoint.device();
    }

    public Precision precision() {
        return checkpoint.precision();
    }

    /** The libtorch device of the model. */
    public org.bytedeco.pytorch.Device torchDevice() {
        return checkpoint.torchDevice();
    }

    /** Releases the weights after the calls in progress. Idempotent. */
    @Override
    public void close() {
        usage.close(checkpoint::close);
    }
}
