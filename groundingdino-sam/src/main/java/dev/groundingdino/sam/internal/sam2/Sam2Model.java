package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.Box;
import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.sam.MaskPrompt;
import dev.groundingdino.sam.Point;
import dev.groundingdino.sam.internal.model.MaskModel;
import dev.groundingdino.sam.internal.sam2.utils.SAM2Transforms;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * SAM 2.1 ({@code sam2/sam2_image_predictor.py::SAM2ImagePredictor}) as a {@link MaskModel}: the image resized to a
 * 1024x1024 square with antialiasing ({@link SAM2Transforms}), prompts normalised by the original size and scaled to
 * 1024 (boxes as two corner points labelled 2 and 3, before the points), masks upscaled straight to the original size.
 * The single-prompt and batched paths are one here (upstream's {@code predict} transforms in float32 either way).
 */
public final class Sam2Model implements MaskModel {
    private final SAM2ImagePredictor predictor;
    private final Placement placement;

    private Sam2Model(SAM2ImagePredictor predictor, Placement placement) {
        this.predictor = predictor;
        this.placement = placement;
    }

    /**
     * Loads a SAM 2.1 checkpoint.
     *
     * @param config the model's config, or null to recognise one of the four official sizes from the tensors
     */
    public static Sam2Model load(Path checkpoint, Sam2Config config, Placement placement) {
        Device device = placement.isCuda() ? Device.CUDA : Device.CPU;
        ScalarType type = placement.dtype().intern();
        Precision precision = type == ScalarType.BFloat16 ? Precision.BF16
                : type == ScalarType.Half ? Precision.FP16 : Precision.FP32;
        return new Sam2Model(SAM2ImagePredictor.load(checkpoint, config, device, precision), placement);
    }

    /** The predictor (tests and benchmarks). */
    public SAM2ImagePredictor predictor() {
        return predictor;
    }

    @Override
    public String family() {
        return "SAM 2.1";
    }

    @Override
    public String variant() {
        return predictor.config().name();
    }

    @Override
    public Placement placement() {
        return placement;
    }

    @Override
    public int multimaskOutputs() {
        return Sam2Config.NUM_MULTIMASK_OUTPUTS;
    }

    @Override
    public int lowResSize() {
        return Sam2Config.lowResMaskSize();
    }

    /** SAM 2.1's encoded image: the predictor's features. */
    private static final class Features implements ImageFeatures {
        private final Sam2ImageFeatures features;

        Features(Sam2ImageFeatures features) {
            this.features = features;
        }

        @Override
        public int width() {
            return features.originalWidth();
        }

        @Override
        public int height() {
            return features.originalHeight();
        }

        @Override
        public void close() {
            features.close();
        }
    }

    @Override
    public ImageFeatures embed(RgbImage image) {
        return new Features(predictor.embed(image));
    }

    @Override
    public Prediction predict(ImageFeatures features, List<MaskPrompt> prompts, boolean multimask, boolean single) {
        Features f = (Features) features;
        int b = prompts.size();
        MaskPrompt first = prompts.get(0);
        int n = first.points().size();
        float[][] boxes = first.box() == null ? null : new float[b][];
        float[][][] points = n == 0 ? null : new float[b][n][];
        int[][] labels = n == 0 ? null : new int[b][n];
        for (int i = 0; i < b; i++) {
            MaskPrompt p = prompts.get(i);
            if (boxes != null) {
                Box box = p.box();
                boxes[i] = new float[] {(float) box.x0(), (float) box.y0(), (float) box.x1(), (float) box.y1()};
            }
            for (int j = 0; j < n; j++) {
                Point pt = p.points().get(j);
                points[i][j] = new float[] {(float) pt.x(), (float) pt.y()};
                labels[i][j] = pt.label();
            }
        }
        Sam2Prompt prompt = Sam2Prompt.of(boxes, points, labels);
        SAM2Base.Prediction p = f.features.use(t -> predictor.predictTensors(t, prompt, multimask,
                f.height(), f.width()));
        float[] transformed = prompt.boxes() == null ? null
                : SAM2Transforms.transformCoords(prompt.boxes(), f.height(), f.width());
        return new Prediction(p.lowResMasks(), p.iouPredictions(), transformed);
    }

    /** The predictor returns its low-resolution logits clamped to [-32, 32] (upscaling uses them unclamped). */
    @Override
    public Tensor rawLowRes(Tensor lowRes) {
        return lowRes.clamp(new ScalarOptional(new Scalar(-Sam2Config.LOW_RES_CLAMP)),
                new ScalarOptional(new Scalar(Sam2Config.LOW_RES_CLAMP)));
    }

    @Override
    public Tensor upscale(ImageFeatures features, Tensor lowRes) {
        return SAM2Transforms.postprocessMasks(lowRes, features.height(), features.width()); // (n, C, H, W)
    }

    @Override
    public void close() {
        predictor.close();
    }
}
