package dev.groundingdino.sam.internal;

import dev.groundingdino.sam.internal.model.MaskModel;
import dev.groundingdino.internal.image.ImageSize;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.image.SamTransform;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.sam.MaskPrompt;
import dev.groundingdino.sam.Point;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Segment Anything ({@code segment_anything/predictor.py::SamPredictor}) as a {@link MaskModel}: the image resized
 * to a longest side of 1024 (Pillow-exact), normalised and padded ({@link SamTransform}); prompts transformed with
 * {@code apply_coords} / {@code apply_boxes} (float64 for the single-prompt {@code predict}, float32 for the batched
 * {@code predict_torch}); masks upscaled by {@code postprocess_masks}.
 */
public final class SamModel implements MaskModel {
    private final SamCheckpoint checkpoint;

    public SamModel(SamCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** The loaded checkpoint (model and config). */
    public SamCheckpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public String family() {
        return "SAM";
    }

    @Override
    public String variant() {
        return checkpoint.config().name();
    }

    @Override
    public Placement placement() {
        return checkpoint.placement();
    }

    @Override
    public int multimaskOutputs() {
        return checkpoint.config().numMaskTokens() - 1;
    }

    @Override
    public int lowResSize() {
        return checkpoint.config().lowResMaskSize();
    }

    /** SAM's encoded image: the (1, 256, 64, 64) embedding and the resized input size. */
    private static final class Features implements ImageFeatures {
        private final int width;
        private final int height;
        private final int inputWidth;
        private final int inputHeight;
        private Tensor embedding;

        Features(int width, int height, int inputWidth, int inputHeight, Tensor embedding) {
            this.width = width;
            this.height = height;
            this.inputWidth = inputWidth;
            this.inputHeight = inputHeight;
            this.embedding = embedding;
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return height;
        }

        @Override
        public synchronized void close() {
            if (embedding != null) {
                embedding.releaseReference();
                embedding = null;
            }
        }
    }

    @Override
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public ImageFeatures embed(RgbImage image) {
        ImageSize input = SamTransform.preprocessShape(image.height(), image.width());
        PixelTensor pixels = SamTransform.apply(image); // (1, 3, 1024, 1024) normalised and padded
        Tensor embedding;
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor x = placement().to(pixels.toTensor(), ScalarType.Float);
            embedding = checkpoint.sam().embed(x).retainReference(); // (1, 256, 64, 64)
        }
        return new Features(image.width(), image.height(), input.width(), input.height(), embedding);
    }

    @Override
    public Prediction predict(ImageFeatures features, List<MaskPrompt> prompts, boolean multimask, boolean single) {
        Features f = (Features) features;
        ImageSize original = new ImageSize(f.height, f.width);
        int b = prompts.size();
        MaskPrompt first = prompts.get(0);
        int n = first.points().size();
        Tensor boxes = null;
        float[] transformed = null;
        if (first.box() != null) {
            float[] raw = new float[4 * b];
            for (int i = 0; i < b; i++) {
                var box = prompts.get(i).box();
                double[] xyxy = {box.x0(), box.y0(), box.x1(), box.y1()};
                if (single) {
                    double[] t = SamTransform.applyBoxes(xyxy, original); // float64, like predict()
                    for (int k = 0; k < 4; k++) {
                        raw[4 * i + k] = (float) t[k];
                    }
                } else {
                    System.arraycopy(toFloats(xyxy), 0, raw, 4 * i, 4);
                }
            }
            float[] input = single ? raw : SamTransform.applyBoxesTorch(raw, original); // float32 like predict_torch
            transformed = input;
            boxes = placement().to(HostTensors.fromFloats(input, b, 4), ScalarType.Float); // (B, 4)
        }
        Tensor coords = null;
        Tensor labels = null;
        if (n > 0) {
            float[] xy = new float[2 * n * b];
            long[] lab = new long[n * b];
            for (int i = 0; i < b; i++) {
                List<Point> points = prompts.get(i).points();
                double[] raw = new double[2 * n];
                for (int j = 0; j < n; j++) {
                    raw[2 * j] = points.get(j).x();
                    raw[2 * j + 1] = points.get(j).y();
                    lab[i * n + j] = points.get(j).label();
                }
                if (!single) {
                    raw = toDoubles(toFloats(raw)); // predict_torch takes float32 coordinates
                }
                double[] t = SamTransform.applyCoords(raw, original);
                for (int k = 0; k < 2 * n; k++) {
                    xy[2 * n * i + k] = (float) t[k];
                }
            }
            coords = placement().to(HostTensors.fromFloats(xy, b, n, 2), ScalarType.Float); // (B, N, 2)
            labels = placement().to(HostTensors.fromLongs(lab, b, n), ScalarType.Long); // (B, N)
        }
        Sam.Prediction p = checkpoint.sam().predict(f.embedding, coords, labels, boxes, multimask);
        return new Prediction(p.lowResLogits(), p.iouPredictions(), transformed);
    }

    @Override
    public Tensor upscale(ImageFeatures features, Tensor lowRes) {
        Features f = (Features) features;
        return checkpoint.sam().postprocessMasks(lowRes, f.inputHeight, f.inputWidth, f.height, f.width);
    }

    /** The embedding of {@code features} (for tests and benchmarks). */
    public static Tensor embedding(ImageFeatures features) {
        return ((Features) features).embedding;
    }

    @Override
    public void close() {
        checkpoint.close();
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static double[] toDoubles(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
