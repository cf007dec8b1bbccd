package dev.groundingdino;

import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.TextBatch;
import dev.groundingdino.internal.hub.DemoWeights;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.postprocess.Boxes;
import dev.groundingdino.internal.postprocess.Nms;
import dev.groundingdino.internal.postprocess.Predict;
import dev.groundingdino.internal.postprocess.Prediction;
import dev.groundingdino.internal.postprocess.QueryOutputs;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.UsageLock;
import dev.groundingdino.internal.text.BertTokenizer;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.awt.image.BufferedImage;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
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
 *     DetectionResult result = detector.detect(Path.of("cat_dog.jpeg"), "cat . dog");
 *     for (Detection d : result.detections()) {
 *         System.out.println(d.label() + " " + d.score() + " " + d.box());
 *     }
 *     Annotator.write(Path.of("cat_dog.jpeg"), result, Path.of("output.jpg"));
 * }
 * }</pre>
 *
 * <h2>What {@code detect} does (the reference's {@code predict()})</h2>
 * The prompt is lowercased, stripped and given a final {@code "."}; the image is resized (shorter side 800, longer
 * at most 1333, Pillow-exact bilinear) and normalised; after the forward pass, {@code prob = sigmoid(pred_logits)},
 * a query is kept iff its highest probability is {@code > boxThreshold} (default 0.35), its score is that
 * probability, and its label the caption tokens whose probability is {@code > textThreshold} (default 0.25), decoded
 * and with {@code "."} removed. Detections come in query order. Options: the reference's {@code remove_combined}
 * ({@link Builder#removeCombined}), class lists ({@link #detect(Path, List)}, {@link ClassMatching}) and
 * non-maximum suppression ({@link NmsMode}, off by default).
 *
 * <h2>Threads, memory, lifetime</h2>
 * A detector is immutable and thread-safe: calls from several threads share the weights and each runs on the
 * calling thread inside its own native memory scope; results are plain Java records. {@code with...} methods derive
 * detectors with other settings that share the same weights; the weights are freed when the last of them is
 * closed. {@link #close()} waits for this detector's calls in progress, is idempotent, and any later call throws
 * {@link IllegalStateException}.
 */
public final class Detector implements AutoCloseable {
    /** The reference's default box threshold ({@code BOX_TRESHOLD = 0.35}). */
    public static final double DEFAULT_BOX_THRESHOLD = 0.35;
    /** The reference's default text threshold ({@code TEXT_TRESHOLD = 0.25}). */
    public static final double DEFAULT_TEXT_THRESHOLD = 0.25;
    /** The default IoU threshold of {@link #withNms(NmsMode, double)}-style suppression when none is given. */
    public static final double DEFAULT_NMS_IOU = 0.5;

    private static final Logger LOG = LoggerFactory.getLogger(Detector.class);

    /** The post-processing settings of one detector. */
    private record Settings(double boxThreshold, double textThreshold, boolean removeCombined,
            ClassMatching classMatching, NmsMode nms, double nmsIou) {}

    /** Releases the shares of detectors that became unreachable without close() (e.g. intermediate derivations). */
    private static final Cleaner CLEANER = Cleaner.create();

    private final SharedModel shared;
    private final Settings settings;
    private final UsageLock usage;
    private final Cleaner.Cleanable share;

    private Detector(SharedModel shared, Settings settings) {
        this.shared = shared;
        this.settings = settings;
        String source = shared.source();
        this.usage = new UsageLock(() -> "this Detector (" + source + ") is closed; load the checkpoint again, or keep "
                + "the detector open until its last call");
        this.share = CLEANER.register(this, new ShareRelease(shared));
    }

    /** Gives back one detector's share of the weights, once (by close(), or by the cleaner after GC). */
    private static final class ShareRelease implements Runnable {
        private final SharedModel shared;
        private final AtomicBoolean released = new AtomicBoolean();

        ShareRelease(SharedModel shared) {
            this.shared = shared;
        }

        @Override
        public void run() {
            if (released.compareAndSet(false, true)) {
                shared.release();
            }
        }
    }

    /**
     * Loads a GroundingDINO checkpoint ({@code .pth}, e.g. the official {@code groundingdino_swint_ogc.pth} and
     * {@code groundingdino_swinb_cogcoor.pth}, or {@code .safetensors}) with the defaults: CPU, FP32, thresholds
     * 0.35 / 0.25. The model variant is recognised from the tensors.
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

    public Device device() {
        return shared.device();
    }

    public Precision precision() {
        return shared.precision();
    }

    /** The model variant, e.g. {@code "GroundingDINO SwinT-OGC"}. */
    public String variant() {
        return shared.loaded().config().name();
    }

    /** Whether this is the random-weight demo model ({@link #demo()}), which finds nothing meaningful. */
    public boolean isDemo() {
        return shared.demo();
    }

    /** Number of queries the model evaluates per image (its maximum number of detections). */
    public int numQueries() {
        return shared.loaded().config().transformer().numQueries();
    }

    // ------------------------------------------------------------------------------------------------ derivations

    /**
     * A detector with other thresholds sharing these weights (close it too; the weights live until the last
     * detector sharing them is closed).
     *
     * @throws ThresholdException if a threshold is not in [0, 1]
     * @throws IllegalStateException if this detector is closed
     */
    public Detector withThresholds(double boxThreshold, double textThreshold) {
        checkThreshold("box threshold", boxThreshold);
        checkThreshold("text threshold", textThreshold);
        return derive(new Settings(boxThreshold, textThreshold, settings.removeCombined(), settings.classMatching(),
                settings.nms(), settings.nmsIou()));
    }

    /** A detector with the reference's {@code remove_combined} on or off, sharing these weights. */
    public Detector withRemoveCombined(boolean removeCombined) {
        return derive(new Settings(settings.boxThreshold(), settings.textThreshold(), removeCombined,
                settings.classMatching(), settings.nms(), settings.nmsIou()));
    }

    /** A detector with another class-list matching, sharing these weights. */
    public Detector withClassMatching(ClassMatching matching) {
        Objects.requireNonNull(matching, "matching");
        return derive(new Settings(settings.boxThreshold(), settings.textThreshold(), settings.removeCombined(),
                matching, settings.nms(), settings.nmsIou()));
    }

    /**
     * A detector with non-maximum suppression, sharing these weights.
     *
     * @param mode {@link NmsMode#NONE} turns it off
     * @param iouThreshold a box overlapping a higher-scored one by more than this IoU is dropped
     * @throws ThresholdException if {@code iouThreshold} is not in [0, 1]
     */
    public Detector withNms(NmsMode mode, double iouThreshold) {
        Objects.requireNonNull(mode, "mode");
        checkThreshold("NMS IoU threshold", iouThreshold);
        return derive(new Settings(settings.boxThreshold(), settings.textThreshold(), settings.removeCombined(),
                settings.classMatching(), mode, iouThreshold));
    }

    private Detector derive(Settings newSettings) {
        return usage.whileOpen(() -> new Detector(shared.retain(), newSettings));
    }

    // ------------------------------------------------------------------------------------------------ detection

    /**
     * Detects the objects named by {@code prompt} in an image file.
     *
     * @param prompt phrases separated by {@code "."}, e.g. {@code "cat . dog"} or {@code "person with a hat"}
     * @throws ImageException if the file is missing, not an image, corrupt or empty
     * @throws PromptException if the prompt is null, blank or names nothing
     * @throws IllegalStateException if this detector is closed
     */
    public DetectionResult detect(Path image, String prompt) {
        return detect(ImageInput.of(image), prompt);
    }

    /** {@link #detect(Path, String)} on a decoded image (colour samples taken as RGB, alpha ignored). */
    public DetectionResult detect(BufferedImage image, String prompt) {
        return detect(ImageInput.of(image), prompt);
    }

    /** {@link #detect(Path, String)} on encoded image bytes (the content of a JPEG, PNG, ... file). */
    public DetectionResult detect(byte[] encodedImage, String prompt) {
        return detect(ImageInput.of(encodedImage), prompt);
    }

    /** {@link #detect(Path, String)} on any {@link ImageInput}. */
    public DetectionResult detect(ImageInput image, String prompt) {
        Objects.requireNonNull(image, "image");
        return run(List.of(image), Query.of(prompt), BatchProgress.NONE).get(0);
    }

    /**
     * Detects the classes of a class list, like the reference's {@code Model.predict_with_classes}: the caption is
     * {@code ". ".join(classes)}, and each detection's {@link Detection#classId()} is the matched class (or -1) as
     * {@link #classMatching()} says.
     *
     * @throws PromptException if the list is null or empty, or a class name is null or blank (or, for
     *     {@link ClassMatching#TOKEN_SPANS}, contains {@code "."} or {@code "?"})
     */
    public DetectionResult detect(Path image, List<String> classes) {
        return detect(ImageInput.of(image), classes);
    }

    /** {@link #detect(Path, List)} on a decoded image. */
    public DetectionResult detect(BufferedImage image, List<String> classes) {
        return detect(ImageInput.of(image), classes);
    }

    /** {@link #detect(Path, List)} on encoded image bytes. */
    public DetectionResult detect(byte[] encodedImage, List<String> classes) {
        return detect(ImageInput.of(encodedImage), classes);
    }

    /** {@link #detect(Path, List)} on any {@link ImageInput}. */
    public DetectionResult detect(ImageInput image, List<String> classes) {
        Objects.requireNonNull(image, "image");
        return run(List.of(image), Query.ofClasses(classes, settings.classMatching()), BatchProgress.NONE).get(0);
    }

    /**
     * Detects the objects named by {@code prompt} in several images through ONE batched forward pass (images of
     * different sizes are zero-padded to a common size with a padding mask, as the reference's
     * {@code nested_tensor_from_tensor_list} does; boxes are relative to each image's own size).
     *
     * @return one result per image, in order
     * @throws IllegalArgumentException if {@code images} is null, empty or holds null
     * @throws ImageException naming the first image that cannot be decoded
     */
    public List<DetectionResult> detect(List<ImageInput> images, String prompt) {
        return detect(images, prompt, BatchProgress.NONE);
    }

    /** {@link #detect(List, String)} reporting progress to {@code progress} (on the calling thread). */
    public List<DetectionResult> detect(List<ImageInput> images, String prompt, BatchProgress progress) {
        return run(checkImages(images), Query.of(prompt), progress == null ? BatchProgress.NONE : progress);
    }

    /** A batched {@link #detect(Path, List)}: one forward pass for all images. */
    public List<DetectionResult> detect(List<ImageInput> images, List<String> classes) {
        return detect(images, classes, BatchProgress.NONE);
    }

    /** A batched {@link #detect(Path, List)} reporting progress to {@code progress}. */
    public List<DetectionResult> detect(List<ImageInput> images, List<String> classes, BatchProgress progress) {
        return run(checkImages(images), Query.ofClasses(classes, settings.classMatching()),
                progress == null ? BatchProgress.NONE : progress);
    }

    /**
     * The raw head outputs ({@code pred_logits}, {@code pred_boxes}) for one image, before thresholds.
     *
     * @throws ImageException if the image cannot be decoded
     * @throws PromptException if the prompt is null, blank or names nothing
     */
    public RawOutputs rawOutputs(ImageInput image, String prompt) {
        Objects.requireNonNull(image, "image");
        Query query = Query.of(prompt);
        RgbImage rgb = image.decode();
        Forward f = forward(List.of(GroundingDinoTransform.apply(rgb)), query.encoding(), BatchProgress.NONE);
        return new RawOutputs(rgb.width(), rgb.height(), query.encoding().caption(), f.queries(), f.slots(),
                f.logits(), f.boxes());
    }

    // ------------------------------------------------------------------------------------------------ internals

    /** A validated prompt or class list and its encoding. */
    private record Query(CaptionEncoding encoding, List<String> classes, ClassMatching matching) {
        static Query of(String prompt) {
            if (prompt == null) {
                throw new PromptException("the prompt is null; name the objects to find, e.g. \"cat . dog\"");
            }
            if (prompt.isBlank()) {
                throw new PromptException("the prompt is empty; name the objects to find, e.g. \"cat . dog\"");
            }
            CaptionEncoding enc = CaptionEncoder.encode(prompt);
            requireWords(enc, "the prompt \"" + prompt + "\"");
            return new Query(enc, List.of(), null);
        }

        static Query ofClasses(List<String> classes, ClassMatching matching) {
            if (classes == null || classes.isEmpty()) {
                throw new PromptException("the class list is " + (classes == null ? "null" : "empty")
                        + "; give the class names to find, e.g. List.of(\"cat\", \"dog\")");
            }
            for (int i = 0; i < classes.size(); i++) {
                String c = classes.get(i);
                if (c == null || c.isBlank()) {
                    throw new PromptException("class " + i + " of " + classes + " is " + (c == null ? "null"
                            : "blank") + "; every class needs a name");
                }
                if (matching == ClassMatching.TOKEN_SPANS && (c.contains(".") || c.contains("?"))) {
                    throw new PromptException("class name \"" + c + "\" contains '.' or '?', which split it into "
                            + "several phrases; remove them (ClassMatching.TOKEN_SPANS scores each class by its "
                            + "own tokens)");
                }
            }
            List<String> copy = List.copyOf(classes);
            CaptionEncoding enc = CaptionEncoder.encode(String.join(". ", copy));
            requireWords(enc, "the class list " + copy);
            return new Query(enc, copy, matching);
        }

        private static void requireWords(CaptionEncoding enc, String what) {
            BertTokenizer tok = BertTokenizer.bertBaseUncased();
            int[] separators = {tok.clsId(), tok.sepId(), tok.id("."), tok.id("?")};
            for (int i = 0; i < enc.length(); i++) {
                int id = enc.tokenId(i);
                if (Arrays.stream(separators).noneMatch(s -> s == id)) {
                    if (enc.truncated()) {
                        LOG.warn("{} has {} tokens; the model sees only the first {}", what, enc.length(),
                                CaptionEncoder.MAX_TEXT_LEN);
                    }
                    return;
                }
            }
            throw new PromptException(what + " names no object (it holds only separators such as '.'); name the "
                    + "objects to find, e.g. \"cat . dog\"");
        }
    }

    /** One forward pass's outputs copied to Java: {@code [B, Q, S]} logits and {@code [B, Q, 4]} boxes. */
    private record Forward(int batch, int queries, int slots, float[] logits, float[] boxes) {
        QueryOutputs row(int b) {
            int l = queries * slots;
            return QueryOutputs.of(queries, slots, Arrays.copyOfRange(logits, b * l, (b + 1) * l),
                    Arrays.copyOfRange(boxes, b * queries * 4, (b + 1) * queries * 4));
        }
    }

    private static List<ImageInput> checkImages(List<ImageInput> images) {
        if (images == null || images.isEmpty()) {
            throw new IllegalArgumentException("no images given (" + (images == null ? "null" : "empty list")
                    + "); pass at least one ImageInput");
        }
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i) == null) {
                throw new IllegalArgumentException("image " + i + " of " + images.size() + " is null");
            }
        }
        return images;
    }

    private List<DetectionResult> run(List<ImageInput> inputs, Query query, BatchProgress progress) {
        usage.checkOpen();
        List<RgbImage> images = new ArrayList<>(inputs.size());
        List<PixelTensor> pixels = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            RgbImage rgb = inputs.get(i).decode();
            images.add(rgb);
            pixels.add(GroundingDinoTransform.apply(rgb));
            progress.update(BatchProgress.Stage.PREPROCESS, i + 1, inputs.size());
        }
        Forward f = forward(pixels, query.encoding(), progress);
        List<DetectionResult> out = new ArrayList<>(images.size());
        for (int b = 0; b < images.size(); b++) {
            out.add(postprocess(f.row(b), query, images.get(b)));
            progress.update(BatchProgress.Stage.POSTPROCESS, b + 1, images.size());
        }
        return out;
    }

    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    private Forward forward(List<PixelTensor> pixels, CaptionEncoding caption, BatchProgress progress) {
        return usage.whileOpen(() -> {
            GroundingDINO model = shared.loaded().model();
            int batch = pixels.size();
            try (InferenceScope scope = InferenceScope.open(); Autocast autocast = Autocast.open(shared)) {
                List<Tensor> images = new ArrayList<>(batch);
                for (PixelTensor p : pixels) {
                    images.add(p.toTensor().to(shared.torchDevice(), ScalarType.Float)); // (3, H, W)
                }
                NestedTensor samples = batch == 1 ? NestedTensor.unpadded(images.get(0).unsqueeze(0))
                        : NestedTensor.fromTensorList(images);
                TextBatch text = TextBatch.of(List.of(caption));
                if (batch > 1) {
                    text = text.repeat(batch);
                }
                GroundingDINO.Output out = model.forward(samples, text, null);
                Tensor logits = out.predLogits().to(ScalarType.Float).cpu().contiguous(); // (B, Q, S)
                Tensor boxes = out.predBoxes().to(ScalarType.Float).cpu().contiguous(); // (B, Q, 4)
                int q = (int) logits.size(1);
                int s = (int) logits.size(2);
                float[] l = new float[batch * q * s];
                float[] b = new float[batch * q * 4];
                logits.data_ptr_float().get(l);
                boxes.data_ptr_float().get(b);
                progress.update(BatchProgress.Stage.FORWARD, 1, 1);
                return new Forward(batch, q, s, l, b);
            } catch (RuntimeException e) {
                if (e instanceof GroundingDinoException || e instanceof IllegalArgumentException
                        || e instanceof IllegalStateException) {
                    throw e;
                }
                throw new NativeLibraryException("the GroundingDINO forward pass failed in libtorch: " + e.getMessage()
                        + (shared.device() == Device.CUDA ? " (on CUDA this is often out of GPU memory: use smaller "
                                + "batches)" : ""), e);
            }
        });
    }

    /**
     * libtorch's autocast switched on for this thread while a reduced-precision forward runs (thread-local state,
     * restored on close), like the reference's {@code torch.autocast(device, dtype)}.
     */
    private static final class Autocast implements AutoCloseable {
        private final torch.DeviceType type;
        private final boolean wasEnabled;
        private final ScalarType previousType;

        private Autocast(torch.DeviceType type, ScalarType dtype) {
            this.type = type;
            this.wasEnabled = type != null && torch.is_autocast_enabled(type);
            this.previousType = type == null ? null : torch.get_autocast_dtype(type);
            if (type != null) {
                torch.set_autocast_dtype(type, dtype);
                torch.set_autocast_enabled(type, true);
            }
        }

        static Autocast open(SharedModel shared) {
            if (shared.precision() == Precision.FP32 || ModelLoader.nativeBf16(shared.device(), shared.precision())) {
                return new Autocast(null, null);
            }
            return new Autocast(shared.device() == Device.CUDA ? torch.DeviceType.CUDA : torch.DeviceType.CPU,
                    shared.dtype());
        }

        @Override
        public void close() {
            if (type != null) {
                torch.set_autocast_enabled(type, wasEnabled);
                torch.set_autocast_dtype(type, previousType);
                if (!wasEnabled) {
                    torch.clear_cache();
                }
            }
        }
    }

    private DetectionResult postprocess(QueryOutputs outputs, Query query, RgbImage image) {
        float box = (float) settings.boxThreshold();
        float text = (float) settings.textThreshold();
        List<Prediction> predictions;
        if (query.classes().isEmpty()) {
            predictions = Predict.predict(outputs, query.encoding(), box, text, settings.removeCombined());
        } else if (query.matching() == ClassMatching.TOKEN_SPANS) {
            predictions = Predict.predictClassSpans(outputs, query.encoding(), query.classes(), box);
        } else {
            predictions = Predict.phrasesToClasses(
                    Predict.predict(outputs, query.encoding(), box, text, settings.removeCombined()), query.classes());
        }
        if (settings.nms() != NmsMode.NONE) {
            predictions = Nms.apply(predictions, settings.nms() == NmsMode.PER_LABEL ? Nms.Grouping.PER_LABEL
                    : Nms.Grouping.CLASS_AGNOSTIC, settings.nmsIou());
        }
        List<Detection> detections = new ArrayList<>(predictions.size());
        for (Prediction p : predictions) {
            float[] xyxy = Boxes.cxcywhToPixelXyxy(p.cx(), p.cy(), p.w(), p.h(), image.width(), image.height());
            List<Integer> positions = new ArrayList<>();
            for (int t : p.tokenPositions()) {
                positions.add(t);
            }
            detections.add(new Detection(p.label(), p.score(), new PixelBox(xyxy[0], xyxy[1], xyxy[2], xyxy[3]),
                    new NormalizedBox(p.cx(), p.cy(), p.w(), p.h()), positions, p.queryIndex(), p.classId()));
        }
        return new DetectionResult(image.width(), image.height(), query.encoding().caption(), query.classes(),
                detections);
    }

    private static void checkThreshold(String what, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new ThresholdException(what + " must be in [0, 1], got " + value + " (the reference defaults are "
                    + "box 0.35, text 0.25)");
        }
    }

    /** Number of open detectors sharing these weights (for tests of the reference counting). */
    int sharedOwners() {
        return shared.owners();
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
        return "Detector[" + shared.source() + ", " + variant() + ", " + shared.device() + "/" + shared.precision()
                + ", box " + settings.boxThreshold() + ", text " + settings.textThreshold()
                + (settings.removeCombined() ? ", remove_combined" : "")
                + (settings.nms() == NmsMode.NONE ? "" : ", " + settings.nms() + " " + settings.nmsIou())
                + (usage.isClosed() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------------------ builder

    /**
     * Options of a {@link Detector}; {@link #build()} validates them together and loads the weights. Not
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

        private Builder(Path checkpoint, boolean demo) {
            this.checkpoint = checkpoint;
            this.demo = demo;
        }

        /**
         * The model's config file, for checkpoints whose variant cannot be recognised from the tensors: the
         * reference's Python config ({@code GroundingDINO_SwinT_OGC.py}) or a JSON dump of it. Optional for the
         * official checkpoints.
         */
        public Builder config(Path configFile) {
            this.config = Objects.requireNonNull(configFile, "configFile");
            return this;
        }

        /** Where the model runs (default {@link Device#CPU}). */
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

        /** The seed of the demo model's weights (demo builders only). */
        public Builder demoSeed(long seed) {
            if (!demo) {
                throw new IllegalStateException("demoSeed applies only to Detector.demoBuilder()");
            }
            this.demoSeed = seed;
            return this;
        }

        /**
         * Validates the options and loads the model.
         *
         * @throws ThresholdException if a threshold is not in [0, 1]
         * @throws IllegalArgumentException for contradicting options (FP16 on the CPU, a config for the demo model,
         *     negative threads) or an unreadable config file
         * @throws CheckpointException if the checkpoint cannot be used
         * @throws NativeLibraryException if libtorch cannot be loaded or CUDA is not available
         */
        public Detector build() {
            checkThreshold("box threshold", boxThreshold);
            checkThreshold("text threshold", textThreshold);
            checkThreshold("NMS IoU threshold", nmsIou);
            if (precision == Precision.FP16 && device == Device.CPU) {
                throw new IllegalArgumentException("Precision.FP16 needs Device.CUDA: libtorch has no usable float16 "
                        + "CPU kernels (a CPU matmul runs at ~1 GFLOP/s). On the CPU use Precision.BF16 (fast on CPUs "
                        + "with AVX-512 BF16) or Precision.FP32.");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0 = libtorch's default), got " + threads);
            }
            if (demo && config != null) {
                throw new IllegalArgumentException("the demo model has its own fixed config; do not set one");
            }
            long t0 = System.nanoTime();
            SharedModel shared = ModelLoader.load(checkpoint, demo, demoSeed, config, device, precision);
            if (threads > 0) {
                torch.set_num_threads(threads);
            }
            Detector detector = new Detector(shared, new Settings(boxThreshold, textThreshold, removeCombined,
                    classMatching, nms, nmsIou));
            if (demo) {
                LOG.warn("Detector: {}", DemoWeights.NOTICE);
            } else {
                LOG.info("loaded {} from {} in {} ms ({}/{})", detector.variant(), shared.source(),
                        (System.nanoTime() - t0) / 1_000_000, device, precision);
            }
            return detector;
        }
    }
}
