package dev.groundingdino.sam;

import dev.groundingdino.Box;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.Device;
import dev.groundingdino.GroundingDinoException;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.InvalidValueException;
import dev.groundingdino.NativeLibraryException;
import dev.groundingdino.OptionException;
import dev.groundingdino.Precision;
import dev.groundingdino.PromptException;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.Devices;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.internal.runtime.UsageLock;
import dev.groundingdino.sam.internal.model.MaskModel;
import dev.groundingdino.sam.internal.loader.MaskModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promptable segmentation with Segment Anything (SAM ViT-B/L/H) or SAM 2.1 (Hiera-T/S/B+/L): {@link #embed} an image
 * once, then {@link #segment} it with any number of prompts (boxes, points, or both), like the reference's
 * {@code SamPredictor} / {@code SAM2ImagePredictor} {@code set_image} / {@code predict}. The family and size are
 * recognised from the checkpoint's tensors.
 *
 * <pre>{@code
 * try (Segmenter sam = Segmenter.load(Path.of("sam_vit_h_4b8939.pth"));
 *      ImageEmbedding image = sam.embed(ImageInput.of(Path.of("truck.jpg")))) {
 *     Segmentation s = sam.segment(image, MaskPrompt.of(new Box(425, 600, 700, 875)));
 *     MaskBitmap mask = s.best().bitmap();
 * }
 * }</pre>
 *
 * <p>Coordinates are pixels of the original image, origin top-left, boxes as (x0, y0, x1, y1). Masks come back at
 * the original image size. A single-prompt call follows {@code SamPredictor.predict} (prompts transformed in
 * float64), a list of prompts follows the batched {@code predict_torch} (float32, the image embedding repeated per
 * prompt); the two can differ in a handful of pixels where a mask logit is within ~1e-5 of 0.
 *
 * <p>The device and precision are decided when the segmenter is built ({@link Builder}); the weights and every
 * constant of the model live there. Instances are immutable and thread-safe; every call runs on the calling thread
 * and copies its results to plain Java objects. {@link #close()} frees the weights (it waits for calls in progress);
 * embeddings are closed separately.
 */
public final class Segmenter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);

    /**
     * Prompts per mask-decoder pass: each prompt holds a copy of the image embedding and its activations, so long
     * prompt lists are decoded in chunks of this size (every prompt is computed independently, chunks change
     * nothing).
     */
    static final int MAX_BATCH = 16;

    private final MaskModel model;
    private final Device device;
    private final Precision precision;
    private final UsageLock usage;

    private Segmenter(MaskModel model, Device device, Precision precision) {
        this.model = model;
        this.device = device;
        this.precision = precision;
        String name = model.family() + " " + model.variant();
        this.usage = new UsageLock(() -> "this Segmenter (" + name + ") is closed; load the checkpoint again");
    }

    /**
     * Loads a Segment Anything checkpoint ({@code sam_vit_h_4b8939.pth}, ...) or a SAM 2.1 one
     * ({@code sam2.1_hiera_large.pt}, ...), {@code .pth}/{@code .pt} or {@code .safetensors}, with the defaults (CPU,
     * FP32); the family and variant are recognised from the tensors.
     *
     * @throws CheckpointException if the file is missing, unreadable, not a SAM checkpoint (a GroundingDINO
     *     checkpoint is recognised and named), or its tensors do not match the model strictly
     * @throws NativeLibraryException if libtorch cannot be loaded
     */
    public static Segmenter load(Path checkpoint) {
        return builder(checkpoint).build();
    }

    /** A builder for the options of {@link #load}: device, precision and threads. */
    public static Builder builder(Path checkpoint) {
        return new Builder(Objects.requireNonNull(checkpoint, "checkpoint"));
    }

    /** The model family: {@code "SAM"} (Segment Anything) or {@code "SAM 2.1"}. */
    public String family() {
        return model.family();
    }

    /**
     * The recognised model variant: {@code "vit_b"}, {@code "vit_l"}, {@code "vit_h"} (SAM), {@code "sam2.1_hiera_t"},
     * {@code "sam2.1_hiera_s"}, {@code "sam2.1_hiera_b+"}, {@code "sam2.1_hiera_l"} (SAM 2.1), or the name of a
     * custom size.
     */
    public String variant() {
        return model.variant();
    }

    public Device device() {
        return device;
    }

    /** The precision of the image encoder ({@link Builder#precision}). */
    public Precision precision() {
        return precision;
    }

    /**
     * Decodes and encodes an image ({@code set_image}).
     *
     * @throws ImageException if the image cannot be read or decoded
     * @throws IllegalStateException if this segmenter is closed
     */
    public ImageEmbedding embed(ImageInput image) {
        Objects.requireNonNull(image, "image");
        RgbImage rgb = ImageDecoder.decode(image);
        return usage.whileOpen(() -> new ImageEmbedding(this, native_(() -> model.embed(rgb))));
    }

    /** One prompt, one mask ({@code SamPredictor.predict(..., multimask_output=False)}). */
    public Segmentation segment(ImageEmbedding embedding, MaskPrompt prompt) {
        return segment(embedding, prompt, false);
    }

    /**
     * One prompt ({@code SamPredictor.predict(point_coords, point_labels, box, multimask_output=multimask)}): one mask,
     * or with {@code multimask} three alternative masks (for ambiguous prompts such as a single point).
     *
     * @throws PromptException if {@code prompt} is null or not inside the image
     * @throws InvalidValueException if the embedding belongs to another segmenter
     * @throws IllegalStateException if this segmenter or the embedding is closed
     */
    public Segmentation segment(ImageEmbedding embedding, MaskPrompt prompt, boolean multimask) {
        if (prompt == null) {
            throw new PromptException("prompt is null; give a MaskPrompt, e.g. MaskPrompt.of(new Box(x0, y0, x1, y1))");
        }
        return run(embedding, List.of(prompt), multimask, true, false).segmentations.get(0);
    }

    /**
     * Several prompts on one image in one batch ({@code SamPredictor.predict_torch}): one {@link Segmentation} per
     * prompt, in order. The prompts must have one shape (all with a box or none, the same number of points); long
     * lists are decoded in chunks of 16 to bound memory (each prompt is computed independently, so chunking changes no
     * result).
     *
     * @throws PromptException if {@code prompts} is null, empty or holds null, mixes shapes, or a prompt is not
     *     inside the image
     * @throws InvalidValueException if the embedding belongs to another segmenter
     * @throws IllegalStateException if this segmenter or the embedding is closed
     */
    public List<Segmentation> segment(ImageEmbedding embedding, List<MaskPrompt> prompts, boolean multimask) {
        return run(embedding, prompts, multimask, false, false).segmentations;
    }

    /**
     * The mask decoder's raw outputs for {@code prompts} (the batched path of {@link #segment(ImageEmbedding, List,
     * boolean)}), before upscaling and thresholding: for parity checks against the reference.
     */
    public RawMasks rawOutputs(ImageEmbedding embedding, List<MaskPrompt> prompts, boolean multimask) {
        return run(embedding, prompts, multimask, false, true).raw;
    }

    private record Outcome(List<Segmentation> segmentations, RawMasks raw) {}

    @SuppressWarnings("try") // the scopes free native temporaries; they are not referenced
    private Outcome run(ImageEmbedding embedding, List<MaskPrompt> prompts, boolean multimask, boolean single,
            boolean raw) {
        checkPrompts(prompts);
        MaskModel.ImageFeatures features = checkEmbedding(embedding).acquire();
        try {
            int w = features.width();
            int h = features.height();
            for (int i = 0; i < prompts.size(); i++) {
                checkInside(prompts.get(i), i, w, h);
            }
            return usage.whileOpen(() -> native_(() -> {
                int b = prompts.size();
                int c = multimask ? model.multimaskOutputs() : 1;
                int side = model.lowResSize();
                int lowPlane = side * side;
                int plane = w * h;
                float[] iou = new float[b * c];
                float[] lowRes = raw ? new float[b * c * lowPlane] : null;
                float[] transformed = raw && prompts.get(0).box() != null ? new float[4 * b] : null;
                List<Segmentation> out = new ArrayList<>(b);
                try (InferenceScope scope = InferenceScope.open()) {
                    for (int start = 0; start < b; start += MAX_BATCH) {
                        int n = Math.min(MAX_BATCH, b - start);
                        try (PointerScope chunkScope = new PointerScope()) {
                            MaskModel.Prediction pred = model.predict(features, prompts.subList(start, start + n),
                                    multimask, single);
                            HostTensors.floats(pred.iouPredictions(), iou, start * c); // (n, C)
                            if (raw) {
                                HostTensors.floats(model.rawLowRes(pred.lowResLogits()), lowRes,
                                        start * c * lowPlane); // (n, C, 256, 256)
                                if (transformed != null) {
                                    System.arraycopy(pred.transformedBoxes(), 0, transformed, 4 * start, 4 * n);
                                }
                                continue;
                            }
                            for (int i = 0; i < n; i++) {
                                // upscaled prompt by prompt: the same numbers as the batch, a fraction of the memory
                                byte[] pixels;
                                try (PointerScope one = new PointerScope()) {
                                    Tensor logits = model.upscale(features, pred.lowResLogits().narrow(0, i, 1));
                                    pixels = HostTensors.bytes(logits.gt(new Scalar(0.0))); // (1, C, H, W) as 0/1
                                }
                                List<Mask> masks = new ArrayList<>(c);
                                for (int j = 0; j < c; j++) {
                                    masks.add(mask(pixels, j * plane, w, h, iou[(start + i) * c + j]));
                                }
                                out.add(new Segmentation(prompts.get(start + i), masks));
                            }
                        }
                    }
                }
                return new Outcome(out, raw ? new RawMasks(prompts, c, side, lowRes, iou, transformed) : null);
            }));
        } finally {
            embedding.release();
        }
    }

    /** Runs native work, wrapping libtorch failures as {@link NativeLibraryException} like the detector does. */
    private <T> T native_(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (GroundingDinoException | IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NativeLibraryException("the Segment Anything model failed in libtorch: " + e.getMessage()
                    + (device == Device.CUDA ? " (on CUDA this is often out of GPU memory: segment fewer prompts "
                            + "at once)" : ""), e);
        }
    }

    /** A {@link Mask} from the {@code w x h} bytes at {@code offset}, with its area and bounds. */
    private static Mask mask(byte[] pixels, int offset, int w, int h, float iou) {
        long area = 0;
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < h; y++) {
            int row = offset + y * w;
            for (int x = 0; x < w; x++) {
                if (pixels[row + x] != 0) {
                    area++;
                    if (x < minX) {
                        minX = x;
                    }
                    if (x > maxX) {
                        maxX = x;
                    }
                    if (y < minY) {
                        minY = y;
                    }
                    maxY = y;
                }
            }
        }
        Box bounds = area == 0 ? new Box(0, 0, 0, 0) : new Box(minX, minY, maxX + 1, maxY + 1);
        return new Mask(MaskBitmap.of(w, h, pixels, offset), iou, bounds, area);
    }

    private static void checkPrompts(List<MaskPrompt> prompts) {
        if (prompts == null || prompts.isEmpty()) {
            throw new PromptException("no prompts given (" + (prompts == null ? "null" : "empty list") + "); pass at "
                    + "least one MaskPrompt to segment");
        }
        MaskPrompt first = prompts.get(0);
        for (int i = 0; i < prompts.size(); i++) {
            MaskPrompt p = prompts.get(i);
            if (p == null) {
                throw new PromptException("prompt " + i + " of " + prompts.size() + " is null");
            }
            if (!p.sameShape(first)) {
                throw new PromptException("prompt " + i + " (" + describe(p) + ") does not have the shape of prompt 0 ("
                        + describe(first) + "); one batch needs prompts of one shape: segment the others in another "
                        + "call");
            }
        }
    }

    private static String describe(MaskPrompt p) {
        return (p.box() != null ? "a box" : "no box") + ", " + p.points().size() + " point"
                + (p.points().size() == 1 ? "" : "s");
    }

    private ImageEmbedding checkEmbedding(ImageEmbedding embedding) {
        if (embedding == null) {
            throw new InvalidValueException("embedding is null; create one with Segmenter.embed(image)");
        }
        if (embedding.owner() != this) {
            throw new InvalidValueException("this ImageEmbedding was made by another Segmenter; embed the image with "
                    + "the segmenter that segments it (embeddings of different checkpoints are not compatible)");
        }
        return embedding;
    }

    private static void checkInside(MaskPrompt prompt, int index, int width, int height) {
        if (!prompt.isInside(width, height)) {
            throw new PromptException("prompt " + index + " (box " + prompt.box() + ", points " + prompt.points()
                    + ") is not inside the " + width + "x" + height + " (WxH) image: coordinates must lie in [0, "
                    + width + "] x [0, " + height + "]. Clip detector boxes with Box.clampTo(width, height).");
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return usage.isClosed();
    }

    /** Frees the weights; waits for calls in progress. Idempotent; later calls throw IllegalStateException. */
    @Override
    public void close() {
        usage.close(model::close);
    }

    @Override
    public String toString() {
        return "Segmenter[" + model.family() + " " + variant() + ", " + device + "/" + precision
                + (usage.isClosed() ? ", closed" : "") + "]";
    }

    /** Options of a {@link Segmenter}; {@link #build()} validates them, then loads the checkpoint. Not thread-safe. */
    public static final class Builder {
        private final Path checkpoint;
        private Path config;
        private Device device = Device.CPU;
        private Precision precision = Precision.FP32;
        private int threads;

        private Builder(Path checkpoint) {
            this.checkpoint = checkpoint;
        }

        /** Where the model runs (default {@link Device#CPU}); decided once, at load. */
        public Builder device(Device value) {
            this.device = Objects.requireNonNull(value, "device");
            return this;
        }

        /**
         * A SAM 2.1 model's config, for a checkpoint whose size is not one of the four official ones (which are
         * recognised from their tensors): the {@code model} node of its {@code sam2.1_hiera_*.yaml} as JSON. Segment
         * Anything (SAM 1) sizes never need one.
         */
        public Builder config(Path configFile) {
            this.config = Objects.requireNonNull(configFile, "configFile");
            return this;
        }

        /**
         * The precision of the image encoder, where nearly all of the time goes (default {@link Precision#FP32}).
         * {@link Precision#BF16} runs the encoder's patch embedding and ViT blocks on bfloat16 weights (converted
         * once at load time; on the CPU the attention core stays float32): ViT-B encodes 1.2x, ViT-H 1.5x faster on
         * a CPU with AVX-512 BF16. {@link Precision#FP16} (CUDA only) likewise in float16. The neck, the prompt
         * encoder and the mask decoder stay float32, and so does the image embedding. Masks then differ from the
         * float32 ones along their edges (see docs/performance.md).
         */
        public Builder precision(Precision value) {
            this.precision = Objects.requireNonNull(value, "precision");
            return this;
        }

        /**
         * libtorch's intra-op CPU threads ({@code torch.set_num_threads}); 0 (default) leaves libtorch's choice.
         * This setting is PROCESS-WIDE in libtorch (shared with every detector): the last value set wins.
         */
        public Builder threads(int value) {
            this.threads = value;
            return this;
        }

        /**
         * Validates the options, then loads the checkpoint, {@code .pth} (the official release files) or
         * {@code .safetensors}; the variant (ViT-B, ViT-L, ViT-H or another size) is recognised from the tensor
         * shapes.
         *
         * @throws OptionException for {@link Precision#FP16} on the CPU or negative threads
         * @throws CheckpointException if the file is missing, unreadable, not a SAM checkpoint (a GroundingDINO
         *     checkpoint is recognised and named), or its tensors do not match the model strictly
         * @throws NativeLibraryException if libtorch cannot be loaded or CUDA is not usable
         */
        public Segmenter build() {
            if (precision == Precision.FP16 && device == Device.CPU) {
                throw new OptionException("Precision.FP16 needs Device.CUDA: libtorch has no usable float16 CPU "
                        + "kernels. On the CPU use Precision.BF16 (fast on CPUs with AVX-512 BF16) or Precision.FP32.");
            }
            if (threads < 0) {
                throw new OptionException("threads must be >= 0 (0 = libtorch's default), got " + threads);
            }
            if (config != null && !java.nio.file.Files.isRegularFile(config)) {
                throw new OptionException("config file not found: " + config.toAbsolutePath() + " (given to "
                        + "Segmenter.builder(..).config(..))");
            }
            long t0 = System.nanoTime();
            ScalarType encoderType = switch (precision) {
                case FP32 -> ScalarType.Float;
                case BF16 -> ScalarType.BFloat16;
                case FP16 -> ScalarType.Half;
            };
            Placement placement;
            if (device == Device.CUDA) {
                Devices.requireCuda("Segmenter");
                if (precision == Precision.FP32) {
                    Devices.disableTf32();
                }
                placement = Placement.cuda(0, encoderType);
            } else {
                placement = Placement.cpu(encoderType);
            }
            MaskModel model = MaskModels.load(checkpoint, config, placement);
            if (threads > 0) {
                torch.set_num_threads(threads);
            }
            LOG.info("loaded {} {} from {} in {} ms ({}/{})", model.family(), model.variant(),
                    checkpoint.getFileName(), (System.nanoTime() - t0) / 1_000_000, device, precision);
            return new Segmenter(model, device, precision);
        }
    }
}
