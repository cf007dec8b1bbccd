package dev.groundingdino;

import dev.groundingdino.internal.detector.DetectionSettings;
import dev.groundingdino.internal.detector.DetectorLoader;
import dev.groundingdino.internal.detector.DetectorModel;
import dev.groundingdino.internal.detector.ForwardRunner;
import dev.groundingdino.internal.detector.Query;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.hf.RawForwardFiles;
import dev.groundingdino.internal.hub.DemoWeights;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.UsageLock;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open-set object detection with GroundingDINO: give an image and a text prompt naming the objects
 * ({@code "cat . dog"}), get boxes with the phrase each belongs to. The Java counterpart of the reference's
 * {@code load_model} + {@code load_image} + {@code predict} ({@code groundingdino/util/inference.py}), with the same
 * numbers (boxes and scores to ~1e-5, phrases exactly) for FP32 on the CPU.
 *
 * <pre>{@code
 * try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"))) {
 *     DetectionResult result = detector.detect(ImageInput.of(Path.of("cat_dog.jpeg")), "cat . dog");
 *     for (Detection d : result.detections()) {
 *         System.out.println(d.label() + " " + d.score() + " " + d.box());
 *     }
 * }
 * }</pre>
 *
 * <h2>What {@code detect} does (the reference's {@code predict()})</h2>
 * The prompt is lowercased, stripped and given a final {@code "."}; the image is resized (shorter side 800, longer
 * at most 1333, Pillow-exact bilinear) and normalised; after the forward pass, {@code prob = sigmoid(pred_logits)},
 * a query is kept iff its highest probability is {@code > boxThreshold} (default 0.35), its score is that
 * probability, and its phrase the caption tokens whose probability is {@code > textThreshold} (default 0.25), decoded
 * and with {@code "."} removed ({@link Detection#phrase()}; {@link Detection#label()} is the same without special
 * tokens). Detections come in query order. Options: the reference's {@code remove_combined}
 * ({@link Builder#removeCombined}), class lists ({@link Prompt#classes}, {@link ClassMatching}) and non-maximum
 * suppression ({@link NmsMode}, off by default).
 *
 * <h2>Long class lists, several prompts per image</h2>
 * The model sees at most 256 tokens of text. With {@link ClassMatching#TOKEN_SPANS} a class list of any length is
 * split, in order, into chunks whose captions fit (each the longest run of consecutive classes that does); the image
 * is encoded once and each chunk runs the text encoder, transformer and heads on it. The result is the union of the
 * chunks' detections with global class ids ({@link DetectionResult#chunks()} tells the split), exactly what running
 * each chunk alone gives, before the optional NMS over all of them. {@link ClassMatching#REFERENCE} keeps the
 * reference's cut at 256 tokens and logs a warning naming what the model does not see. To ask one image several
 * questions, {@link #encodeImage} it once and {@link #detect(ImageFeatures, Prompt)} on the features.
 *
 * <h2>Devices, batches</h2>
 * The device and precision are decided when the detector is built ({@link Builder#device}, {@link Builder#precision});
 * the weights and every constant of the model live there from then on. Several images
 * ({@link #detect(List, Prompt)}) are decoded and resized on worker threads while the previous forward pass runs, and
 * go through the model {@link Builder#batchSize} at a time.
 *
 * <h2>Threads, memory, lifetime</h2>
 * A detector is immutable and thread-safe: calls from several threads share the weights and each runs on the
 * calling thread inside its own native memory scope; results are plain Java records. {@code with...} methods derive
 * detectors with other settings that share the same weights; the weights are freed when the last of them is
 * closed. The model keeps two bounded caches between calls, shared by the detectors derived from it: the text
 * encodings of the last {@link Builder#textCacheSize} distinct captions (default {@value #DEFAULT_TEXT_CACHE_SIZE};
 * a chunked class list takes one per chunk; about 1 MB each for Swin-T) and the size-dependent tensors (masks,
 * position encodings) of the last 2 input sizes. {@link #close()} waits for this
 * detector's calls in progress, is idempotent, and any later call throws {@link IllegalStateException}.
 */
public final class Detector implements AutoCloseable {
    /** The reference's default box threshold ({@code BOX_TRESHOLD = 0.35}). */
    public static final double DEFAULT_BOX_THRESHOLD = 0.35;
    /** The reference's default text threshold ({@code TEXT_TRESHOLD = 0.25}). */
    public static final double DEFAULT_TEXT_THRESHOLD = 0.25;
    /** The default IoU threshold of {@link #withNms(NmsMode, double)}-style suppression when none is given. */
    public static final double DEFAULT_NMS_IOU = 0.5;
    /** Distinct captions whose text encodings a detector keeps by default ({@link Builder#textCacheSize}). */
    public static final int DEFAULT_TEXT_CACHE_SIZE = GroundingDINO.TEXT_CACHE_ENTRIES;
    /** What the random-weight demo model is ({@link #demo()}): it finds nothing meaningful. */
    public static final String DEMO_NOTICE = DemoWeights.NOTICE;

    private static final Logger LOG = LoggerFactory.getLogger(Detector.class);
    /** The demo notice is logged once per JVM, not once per detector. */
    private static final AtomicBoolean DEMO_NOTICE_LOGGED = new AtomicBoolean();

    /** Releases the shares of detectors that became unreachable without close() (e.g. intermediate derivations). */
    private static final Cleaner CLEANER = Cleaner.create();

    private final DetectorModel model;
    private final DetectionSettings settings;
    private final UsageLock usage;
    private final Cleaner.Cleanable share;

    private Detector(DetectorModel model, DetectionSettings settings) {
        this.model = model;
        this.settings = settings;
        String source = model.source();
        this.usage = new UsageLock(() -> "this Detector (" + source + ") is closed; load the checkpoint again, or keep "
                + "the detector open until its last call");
        this.share = CLEANER.register(this, new ShareRelease(model));
    }

    /** Gives back one detector's share of the weights, once (by close(), or by the cleaner after GC). */
    private static final class ShareRelease implements Runnable {
        private final DetectorModel model;
        private final AtomicBoolean released = new AtomicBoolean();

        ShareRelease(DetectorModel model) {
            this.model = model;
        }

        @Override
        public void run() {
            if (released.compareAndSet(false, true)) {
                model.release();
            }
        }
    }

    /**
     * Loads a GroundingDINO checkpoint ({@code .pth}, e.g. the official {@code groundingdino_swint_ogc.pth} and
     * {@code groundingdino_swinb_cogcoor.pth}, or {@code .safetensors}) with the defaults: CPU, FP32, thresholds
     * 0.35 / 0.25. The official variants are recognised from the tensors; for others (e.g. a small custom model)
     * give the config with {@code Detector.builder(checkpoint).config(configFile).build()}.
     *
     * @throws CheckpointException if the file is missing, truncated, corrupt, of another model (a SAM checkpoint is
     *     named as such) or does not match a GroundingDINO variant strictly
     * @throws NativeLibraryException if libtorch cannot be loaded
     */
    public static Detector load(Path checkpoint) {
        return builder(checkpoint).build();
    }

    /** A builder for a detector on {@code checkpoint} with other options. */
    public static Builder builder(Path checkpoint) {
        return new Builder(Objects.requireNonNull(checkpoint, "checkpoint"), false);
    }

    /**
     * The random-weight demo model with default options: a tiny GroundingDINO with deterministic seeded weights made
     * in-process (nothing to download). It runs the complete pipeline but FINDS NOTHING MEANINGFUL: its boxes and
     * labels are noise. For trying the API and the tools offline.
     */
    public static Detector demo() {
        return demoBuilder().build();
    }

    /** A builder for the random-weight demo model ({@link #demo()}). */
    public static Builder demoBuilder() {
        return new Builder(null, true);
    }

    // ------------------------------------------------------------------------------------------------ settings

    public double boxThreshold() {
        return settings.boxThreshold();
    }

    public double textThreshold() {
        return settings.textThreshold();
    }

    /** Whether phrases follow the reference's {@code remove_combined=True}. */
    public boolean removeCombined() {
        return settings.removeCombined();
    }

    public ClassMatching classMatching() {
        return settings.classMatching();
    }

    public NmsMode nmsMode() {
        return settings.nms();
    }

    /** IoU above which {@link #nmsMode()} suppresses a box. */
    public double nmsIouThreshold() {
        return settings.nmsIou();
    }

    /** Images per forward pass of {@link #detect(List, Prompt)}. */
    public int batchSize() {
        return settings.batchSize();
    }

    public Device device() {
        return model.device();
    }

    public Precision precision() {
        return model.precision();
    }

    /** Distinct captions whose text encodings the model keeps between calls ({@link Builder#textCacheSize}). */
    public int textCacheSize() {
        return model.loaded().model().textCacheCapacity();
    }

    /** The model variant, e.g. {@code "GroundingDINO SwinT-OGC"}. */
    public String variant() {
        return model.loaded().config().name();
    }

    /** Whether this is the random-weight demo model ({@link #demo()}), which finds nothing meaningful. */
    public boolean isDemo() {
        return model.demo();
    }

    /** Number of queries the model evaluates per image (its maximum number of detections). */
    public int numQueries() {
        return model.loaded().config().transformer().numQueries();
    }

    // ------------------------------------------------------------------------------------------------ derivations

    /**
     * A detector with other thresholds sharing these weights (close it too; the weights live until the last
     * detector sharing them is closed).
     *
     * @throws OptionException if a threshold is not in [0, 1]
     * @throws IllegalStateException if this detector is closed
     */
    public Detector withThresholds(double boxThreshold, double textThreshold) {
        return derive(settings.withThresholds(boxThreshold, textThreshold));
    }

    /** A detector with the reference's {@code remove_combined} on or off, sharing these weights. */
    public Detector withRemoveCombined(boolean removeCombined) {
        return derive(settings.withRemoveCombined(removeCombined));
    }

    /** A detector with another class-list matching, sharing these weights. */
    public Detector withClassMatching(ClassMatching matching) {
        return derive(settings.withClassMatching(Objects.requireNonNull(matching, "matching")));
    }

    /**
     * A detector with non-maximum suppression, sharing these weights.
     *
     * @param mode {@link NmsMode#NONE} turns it off
     * @param iouThreshold a box overlapping a higher-scored one by more than this IoU is dropped
     * @throws OptionException if {@code iouThreshold} is not in [0, 1]
     */
    public Detector withNms(NmsMode mode, double iouThreshold) {
        return derive(settings.withNms(Objects.requireNonNull(mode, "mode"), iouThreshold));
    }

    /**
     * A detector running {@code batchSize} images per forward pass, sharing these weights.
     *
     * @throws OptionException if {@code batchSize < 1}
     */
    public Detector withBatchSize(int batchSize) {
        return derive(settings.withBatchSize(batchSize));
    }

    private Detector derive(DetectionSettings newSettings) {
        return whileOpen(() -> new Detector(model.retain(), newSettings));
    }

    // ------------------------------------------------------------------------------------------------ detection

    /**
     * Detects the objects named by a text prompt: {@code detect(image, Prompt.text(prompt))}.
     *
     * @param prompt phrases separated by {@code "."}, e.g. {@code "cat . dog"} or {@code "person with a hat"}
     */
    public DetectionResult detect(ImageInput image, String prompt) {
        return detect(image, Prompt.text(prompt));
    }

    /**
     * Detects what {@code prompt} names in one image: a text prompt, or a class list (each detection's
     * {@link Detection#classId()} is the matched class, or -1, as {@link #classMatching()} says).
     *
     * @throws ImageException if the image is missing, not an image, corrupt or empty
     * @throws PromptException if the prompt is null, blank or names nothing (or a class is blank)
     * @throws IllegalStateException if this detector is closed
     */
    public DetectionResult detect(ImageInput image, Prompt prompt) {
        Objects.requireNonNull(image, "image");
        return detect(List.of(image), prompt, BatchProgress.NONE).get(0);
    }

    /**
     * Detects what {@code prompt} names in several images: decoded and resized on worker threads while the model
     * runs, {@link #batchSize()} images per forward pass (with batch size 1, the default, each result equals
     * {@code detect(image, prompt)}; larger batches are zero-padded to a common size like the reference's
     * {@code nested_tensor_from_tensor_list}).
     *
     * @return one result per image, in order
     * @throws IllegalArgumentException if {@code images} is null, empty or holds null
     * @throws ImageException naming the first image that cannot be decoded
     */
    public List<DetectionResult> detect(List<ImageInput> images, Prompt prompt) {
        return detect(images, prompt, BatchProgress.NONE);
    }

    /** {@link #detect(List, Prompt)} reporting progress to {@code progress} (on the calling thread). */
    public List<DetectionResult> detect(List<ImageInput> images, Prompt prompt, BatchProgress progress) {
        List<Supplier<RgbImage>> sources = sources(images);
        Query query = Query.of(prompt, settings.classMatching());
        BatchProgress p = progress == null ? BatchProgress.NONE : progress;
        return whileOpen(() -> ForwardRunner.detect(model, sources, query, settings, p));
    }

    /**
     * Encodes one image for any number of prompts: the backbone, input projections and position encodings, which
     * depend on the image alone, computed once and kept on this detector's device (see {@link ImageFeatures}; close
     * it when done).
     *
     * @throws ImageException if the image is missing, not an image, corrupt or empty
     * @throws IllegalStateException if this detector is closed
     */
    public ImageFeatures encodeImage(ImageInput image) {
        Objects.requireNonNull(image, "image");
        RgbImage rgb = ImageDecoder.decode(image);
        return whileOpen(() -> new ImageFeatures(ForwardRunner.encode(model, rgb)));
    }

    /** {@code detect(features, Prompt.text(prompt))}. */
    public DetectionResult detect(ImageFeatures features, String prompt) {
        return detect(features, Prompt.text(prompt));
    }

    /**
     * Detects what {@code prompt} names in an image encoded before with {@link #encodeImage}: exactly the result of
     * {@code detect(image, prompt)} with this detector's settings, without encoding the image again.
     *
     * @throws InvalidValueException if the features were encoded by a detector with other weights
     * @throws PromptException if the prompt is null, blank or names nothing
     * @throws IllegalStateException if this detector or the features are closed
     */
    public DetectionResult detect(ImageFeatures features, Prompt prompt) {
        Objects.requireNonNull(features, "features");
        Query query = Query.of(prompt, settings.classMatching());
        return features.use(encoded -> whileOpen(() -> ForwardRunner.detect(model, encoded, query, settings)));
    }

    /**
     * The raw head outputs ({@code pred_logits}, {@code pred_boxes}) for one image, before thresholds: for parity
     * checks against the reference and custom post-processing. They are the outputs of the prompt's whole caption: a
     * class list over 256 tokens is not split into chunks here; the model sees its first 256 tokens, as in the
     * reference.
     *
     * @throws ImageException if the image cannot be decoded
     * @throws PromptException if the prompt is null, blank or names nothing
     */
    public RawOutputs rawOutputs(ImageInput image, Prompt prompt) {
        Objects.requireNonNull(image, "image");
        Query query = Query.of(prompt, settings.classMatching());
        RgbImage rgb = ImageDecoder.decode(image);
        return whileOpen(() -> ForwardRunner.rawOutputs(model, rgb, query));
    }

    /**
     * The model's raw forward pass on given model inputs, file to file, for parity checks against the reference code
     * or Hugging Face {@code transformers}: no image preprocessing, no tokenizer. {@code inputs} is a
     * {@code .safetensors} file holding {@code pixel_values} [B,3,H,W] float32 (normalised, padded bottom-right in a
     * batch), {@code input_ids} [B,n] int64 and optionally {@code pixel_mask} [B,H,W] (uint8, bool or int64; 1 on
     * image pixels), {@code attention_mask} [B,n] and {@code token_type_ids} [B,n] (all 0): the names and layout of
     * transformers' image processor and tokenizer. Text longer than 256 tokens is cut to 256 like everywhere in the
     * library. Writes {@code pred_logits} [B,Q,256] ({@code -inf} past the text) and {@code pred_boxes} [B,Q,4]
     * ({@code cx, cy, w, h} normalised) as float32 to {@code outputs} (replaced atomically). Works for every
     * checkpoint this detector loads; each computes its sub-sentence masks from the token ids the way its reference
     * code does.
     *
     * @throws InvalidValueException if {@code inputs} is missing, lacks {@code pixel_values} / {@code input_ids}, or
     *     holds tensors of the wrong shape or type
     * @throws CheckpointException if {@code inputs} is not a readable tensor file, or {@code outputs} cannot be written
     */
    public void forward(Path inputs, Path outputs) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(outputs, "outputs");
        whileOpen(() -> {
            RawForwardFiles.run(model.loaded(), inputs, outputs);
            return null;
        });
    }

    /**
     * Runs a call while this detector is open, keeping it reachable until the call returns: otherwise a detector used
     * without a variable ({@code Detector.load(p).detect(..)}) could be found unreachable by the garbage collector in
     * the middle of a forward pass, and its cleaner would free the weights under it.
     */
    private <T> T whileOpen(Supplier<T> body) {
        try {
            return usage.whileOpen(body);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private static List<Supplier<RgbImage>> sources(List<ImageInput> images) {
        if (images == null || images.isEmpty()) {
            throw new IllegalArgumentException("no images given (" + (images == null ? "null" : "empty list")
                    + "); pass at least one ImageInput");
        }
        List<Supplier<RgbImage>> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            ImageInput in = images.get(i);
            if (in == null) {
                throw new IllegalArgumentException("image " + i + " of " + images.size() + " is null");
            }
            out.add(() -> ImageDecoder.decode(in));
        }
        return out;
    }

    /** Number of open detectors sharing these weights (for tests of the reference counting). */
    int sharedOwners() {
        return model.owners();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return usage.isClosed();
    }

    /**
     * Releases this detector's share of the weights (freed with the last detector sharing them); waits for calls
     * in progress on this detector. Idempotent; later calls throw {@link IllegalStateException}. A detector that
     * becomes unreachable without being closed (e.g. the middle of {@code d.withThresholds(..).withNms(..)}) gives
     * its share back when the garbage collector finds it; close detectors explicitly to free native memory at once.
     */
    @Override
    public void close() {
        usage.close(share::clean);
    }

    @Override
    public String toString() {
        return "Detector[" + model.source() + ", " + variant() + ", " + model.device() + "/" + model.precision()
                + ", box " + settings.boxThreshold() + ", text " + settings.textThreshold()
                + (settings.removeCombined() ? ", remove_combined" : "")
                + (settings.nms() == NmsMode.NONE ? "" : ", " + settings.nms() + " " + settings.nmsIou())
                + (settings.batchSize() == 1 ? "" : ", batch " + settings.batchSize())
                + (usage.isClosed() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------------------ builder

    /**
     * Options of a {@link Detector}; {@link #build()} validates them together, then loads the weights. Not
     * thread-safe; reusable (each build loads the weights again).
     */
    public static final class Builder {
        private final Path checkpoint;
        private final boolean demo;
        private long demoSeed = DemoWeights.DEFAULT_SEED;
        private Path config;
        private Device device = Device.CPU;
        private Precision precision = Precision.FP32;
        private int threads;
        private double boxThreshold = DEFAULT_BOX_THRESHOLD;
        private double textThreshold = DEFAULT_TEXT_THRESHOLD;
        private boolean removeCombined;
        private ClassMatching classMatching = ClassMatching.REFERENCE;
        private NmsMode nms = NmsMode.NONE;
        private double nmsIou = DEFAULT_NMS_IOU;
        private int batchSize = 1;
        private int textCacheSize = DEFAULT_TEXT_CACHE_SIZE;

        private Builder(Path checkpoint, boolean demo) {
            this.checkpoint = checkpoint;
            this.demo = demo;
        }

        /**
         * The model's config file, for checkpoints whose variant cannot be recognised from the tensors: the
         * reference's Python config ({@code GroundingDINO_SwinT_OGC.py}) or a JSON dump of it. Not needed for the
         * official checkpoints.
         */
        public Builder config(Path configFile) {
            this.config = Objects.requireNonNull(configFile, "configFile");
            return this;
        }

        /** Where the model runs (default {@link Device#CPU}); decided once, at load. */
        public Builder device(Device value) {
            this.device = Objects.requireNonNull(value, "device");
            return this;
        }

        /** Weight and activation precision (default {@link Precision#FP32}; FP16 needs CUDA). */
        public Builder precision(Precision value) {
            this.precision = Objects.requireNonNull(value, "precision");
            return this;
        }

        /**
         * libtorch's intra-op CPU threads ({@code torch.set_num_threads}); 0 (default) leaves libtorch's choice.
         * This setting is PROCESS-WIDE in libtorch: the last detector built with a value wins.
         */
        public Builder threads(int value) {
            this.threads = value;
            return this;
        }

        /** Default box threshold of {@code detect} calls (0.35). */
        public Builder boxThreshold(double value) {
            this.boxThreshold = value;
            return this;
        }

        /** Default text threshold of {@code detect} calls (0.25). */
        public Builder textThreshold(double value) {
            this.textThreshold = value;
            return this;
        }

        /** The reference's {@code remove_combined=True}: a phrase only from the sub-sentence of the best token. */
        public Builder removeCombined(boolean value) {
            this.removeCombined = value;
            return this;
        }

        /** How class lists are matched (default {@link ClassMatching#REFERENCE}). */
        public Builder classMatching(ClassMatching value) {
            this.classMatching = Objects.requireNonNull(value, "classMatching");
            return this;
        }

        /** Non-maximum suppression after the reference post-processing (default none). */
        public Builder nms(NmsMode mode, double iouThreshold) {
            this.nms = Objects.requireNonNull(mode, "mode");
            this.nmsIou = iouThreshold;
            return this;
        }

        /**
         * Images per forward pass of {@link Detector#detect(List, Prompt)} (default 1: every image its own pass,
         * exactly the single-image result; larger batches use the GPU better).
         */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /**
         * Distinct captions whose text encodings (BERT and {@code feat_map}, on the model's device) are kept between
         * calls, least recently used dropped first (default {@value Detector#DEFAULT_TEXT_CACHE_SIZE}; about 1 MB
         * each for Swin-T; 0 keeps none). A repeated prompt then skips the text encoder; a class list split into
         * chunks takes one entry per chunk, so give at least the number of chunks to reuse a long list.
         */
        public Builder textCacheSize(int entries) {
            this.textCacheSize = entries;
            return this;
        }

        /** The seed of the demo model's weights (demo builders only). */
        public Builder demoSeed(long seed) {
            if (!demo) {
                throw new IllegalStateException("demoSeed applies only to Detector.demoBuilder()");
            }
            this.demoSeed = seed;
            return this;
        }

        /**
         * Validates the options, then loads the model.
         *
         * @throws OptionException for a threshold outside [0, 1], contradicting options (FP16 on the CPU, a config
         *     for the demo model), negative threads or text cache size, a batch size below 1, or a missing or
         *     unreadable config file
         * @throws CheckpointException if the checkpoint cannot be used
         * @throws NativeLibraryException if libtorch cannot be loaded or CUDA is not usable
         */
        public Detector build() {
            DetectionSettings settings = new DetectionSettings(boxThreshold, textThreshold, removeCombined,
                    classMatching, nms, nmsIou, batchSize);
            if (precision == Precision.FP16 && device == Device.CPU) {
                throw new OptionException("Precision.FP16 needs Device.CUDA: libtorch has no usable float16 CPU "
                        + "kernels (a CPU matmul runs at ~1 GFLOP/s). On the CPU use Precision.BF16 (fast on CPUs "
                        + "with AVX-512 BF16) or Precision.FP32.");
            }
            if (textCacheSize < 0) {
                throw new OptionException("textCacheSize must be >= 0 (0 = keep no text encodings), got "
                        + textCacheSize);
            }
            if (threads < 0) {
                throw new OptionException("threads must be >= 0 (0 = libtorch's default), got " + threads);
            }
            if (demo && config != null) {
                throw new OptionException("the demo model has its own fixed config; do not set one");
            }
            if (config != null && !java.nio.file.Files.isRegularFile(config)) {
                throw new OptionException("config file not found: " + config.toAbsolutePath() + " (given to "
                        + "Detector.builder(..).config(..))");
            }
            long t0 = System.nanoTime();
            DetectorModel model = DetectorLoader.load(checkpoint, demo, demoSeed, config, device, precision,
                    textCacheSize);
            if (threads > 0) {
                torch.set_num_threads(threads);
            }
            Detector detector = new Detector(model, settings);
            if (demo) {
                if (DEMO_NOTICE_LOGGED.compareAndSet(false, true)) {
                    LOG.info("Detector: {}", DEMO_NOTICE); // the tools print their own one-line note
                }
            } else {
                LOG.info("loaded {} from {} in {} ms ({}/{})", detector.variant(), model.source(),
                        (System.nanoTime() - t0) / 1_000_000, device, precision);
            }
            return detector;
        }
    }
}
