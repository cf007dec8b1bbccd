package dev.groundingdino.sam;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.ImageException;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.ImageSize;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.image.SamTransform;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.UsageLock;
import dev.groundingdino.sam.internal.RawPrediction;
import dev.groundingdino.sam.internal.Sam;
import dev.groundingdino.sam.internal.SamCheckpoint;
import dev.groundingdino.sam.internal.SegmenterInternals;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment Anything with box prompts: {@link #embed} an image once, then {@link #segment} it with any number of
 * boxes, like the reference's {@code SamPredictor.set_image} / {@code predict} / {@code predict_torch}.
 *
 * <pre>{@code
 * try (Segmenter sam = Segmenter.load(Path.of("sam_vit_h_4b8939.pth"));
 *      ImageEmbedding image = sam.embed(Path.of("truck.jpg"))) {
 *     Segmentation s = sam.segment(image, new Box(425, 600, 700, 875));
 *     MaskBitmap mask = s.best().bitmap();
 * }
 * }</pre>
 *
 * <p>Coordinates are pixels of the original image, origin top-left, boxes as (x0, y0, x1, y1). Masks come back at
 * the original image size. A single-box call follows {@code SamPredictor.predict} (box transformed in float64),
 * a list of boxes follows the batched {@code predict_torch} (boxes transformed in float32, the image embedding
 * repeated per box); the two can differ in a handful of pixels where a mask logit is within ~1e-5 of 0.
 *
 * <p>The segmenter runs on the CPU ({@link #builder} sets its precision and threads). Instances are immutable and
 * thread-safe; every call runs on the calling thread and copies its results to plain Java objects. {@link #close()}
 * frees the weights (it waits for calls in progress); embeddings are closed separately.
 */
public final class Segmenter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);

    static {
        SegmenterInternals.register(new SegmenterInternals.Access() {
            @Override
            public SegmenterInternals.RawSegmentation segmentWithRaw(Segmenter segmenter, ImageEmbedding embedding,
                    Box box, boolean multimask) {
                if (box == null) {
                    throw new InvalidPromptException("box is null; give a Box in pixel coordinates of the image");
                }
                return segmenter.segmentOne(embedding, box, multimask, true);
            }

            @Override
            public SegmenterInternals.RawSegmentation segmentWithRaw(Segmenter segmenter, ImageEmbedding embedding,
                    List<Box> boxes, boolean multimask) {
                return segmenter.segmentBatch(embedding, boxes, multimask, true);
            }
        });
    }

    /**
     * Boxes per mask-decoder pass: each box holds a copy of the image embedding and its activations, so long box
     * lists are decoded in chunks of this size (every box is computed independently, chunks change nothing).
     */
    static final int MAX_BATCH = 16;

    private final SamCheckpoint model;
    private final Precision precision;
    private final UsageLock usage = new UsageLock(() -> "this Segmenter (" + variant() + ") is closed; load the "
            + "checkpoint again");

    private Segmenter(SamCheckpoint model, Precision precision) {
        this.model = model;
        this.precision = precision;
    }

    /**
     * Loads a Segment Anything checkpoint, {@code .pth} (the official release files) or {@code .safetensors}; the
     * variant (ViT-B, ViT-L, ViT-H or another size) is recognised from the tensor shapes.
     *
     * @throws CheckpointException if the file is missing, unreadable, not a SAM checkpoint (a GroundingDINO
     *     checkpoint is recognised and named), or its tensors do not match the model strictly
     * @throws dev.groundingdino.NativeLibraryException if libtorch cannot be loaded
     */
    public static Segmenter load(Path checkpoint) {
        return builder(checkpoint).build();
    }

    /** A builder for the options of {@link #load}: precision and threads. */
    public static Builder builder(Path checkpoint) {
        return new Builder(Objects.requireNonNull(checkpoint, "checkpoint"));
    }

    /**
     * The recognised model variant: {@code "vit_b"}, {@code "vit_l"}, {@code "vit_h"}, {@code "tiny"} (the test
     * model) or {@code "custom"}.
     */
    public String variant() {
        return model.config().name();
    }

    /** The precision of the image encoder ({@link Builder#precision}). */
    public Precision precision() {
        return precision;
    }

    /**
     * Decodes and encodes an image file (JPEG, PNG, ...).
     *
     * @throws ImageException if the file cannot be read or decoded
     * @throws IllegalStateException if this segmenter is closed
     */
    public ImageEmbedding embed(Path image) {
        return embed(ImageDecoder.read(Objects.requireNonNull(image, "image")));
    }

    /**
     * Encodes an image given as encoded bytes (the content of a JPEG, PNG, ... file).
     *
     * @throws ImageException if the bytes cannot be decoded
     * @throws IllegalStateException if this segmenter is closed
     */
    public ImageEmbedding embed(byte[] encodedImage) {
        return embed(ImageDecoder.decode(Objects.requireNonNull(encodedImage, "encodedImage")));
    }

    /**
     * Encodes a decoded image (its colour samples are taken as RGB; alpha is ignored).
     *
     * @throws ImageException if the image is empty or unusable
     * @throws IllegalStateException if this segmenter is closed
     */
    public ImageEmbedding embed(BufferedImage image) {
        return embed(ImageDecoder.fromBufferedImage(Objects.requireNonNull(image, "image")));
    }

    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    private ImageEmbedding embed(RgbImage image) {
        ImageSize input = SamTransform.preprocessShape(image.height(), image.width());
        PixelTensor pixels = SamTransform.apply(image);
        return usage.whileOpen(() -> {
            Tensor embedding;
            try (InferenceScope scope = InferenceScope.open()) {
                embedding = model.sam().embed(pixels.toTensor()).retainReference();
            }
            return new ImageEmbedding(this, embedding, image.width(), image.height(), input.width(), input.height());
        });
    }

    /** One box, one mask ({@code SamPredictor.predict(box=..., multimask_output=False)}). */
    public Segmentation segment(ImageEmbedding embedding, Box box) {
        return segment(embedding, box, false);
    }

    /**
     * One box ({@code SamPredictor.predict(box=..., multimask_output=multimask)}): one mask, or with
     * {@code multimask} three alternative masks.
     *
     * @throws InvalidPromptException if {@code box} is null, or ({@link BoxOutsideImageException}) not inside the
     *     image
     * @throws InvalidEmbeddingException if the embedding is closed ({@link ClosedEmbeddingException}) or belongs
     *     to another segmenter
     * @throws IllegalStateException if this segmenter is closed
     */
    public Segmentation segment(ImageEmbedding embedding, Box box, boolean multimask) {
        if (box == null) {
            throw new InvalidPromptException("box is null; give a Box in pixel coordinates of the image");
        }
        return segmentOne(embedding, box, multimask, false).segmentations().get(0);
    }

    private SegmenterInternals.RawSegmentation segmentOne(ImageEmbedding embedding, Box box, boolean multimask,
            boolean keepRaw) {
        checkEmbedding(embedding);
        checkInside(box, 0, embedding);
        ImageSize original = new ImageSize(embedding.height(), embedding.width());
        double[] t = SamTransform.applyBoxes(new double[] {box.x0(), box.y0(), box.x1(), box.y1()}, original);
        float[] input = {(float) t[0], (float) t[1], (float) t[2], (float) t[3]};
        return run(embedding, List.of(box), input, multimask, keepRaw);
    }

    /** Several boxes on one image, one mask each (batched {@code predict_torch}). */
    public List<Segmentation> segment(ImageEmbedding embedding, List<Box> boxes) {
        return segment(embedding, boxes, false);
    }

    /**
     * Several boxes on one image in one batch ({@code SamPredictor.predict_torch(boxes=apply_boxes_torch(...))}):
     * one {@link Segmentation} per box, in order. Long lists are decoded in chunks of 16 boxes to bound memory
     * (each box is computed independently, so chunking changes no result).
     *
     * @throws InvalidPromptException if {@code boxes} is null, empty or holds null, or
     *     ({@link BoxOutsideImageException}) a box is not inside the image
     * @throws InvalidEmbeddingException if the embedding is closed ({@link ClosedEmbeddingException}) or belongs
     *     to another segmenter
     * @throws IllegalStateException if this segmenter is closed
     */
    public List<Segmentation> segment(ImageEmbedding embedding, List<Box> boxes, boolean multimask) {
        return segmentBatch(embedding, boxes, multimask, false).segmentations();
    }

    private SegmenterInternals.RawSegmentation segmentBatch(ImageEmbedding embedding, List<Box> boxes,
            boolean multimask, boolean keepRaw) {
        if (boxes == null || boxes.isEmpty()) {
            throw new InvalidPromptException("no boxes given (" + (boxes == null ? "null" : "empty list")
                    + "); pass at least one Box to segment");
        }
        checkEmbedding(embedding);
        float[] raw = new float[4 * boxes.size()];
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            if (b == null) {
                throw new InvalidPromptException("box " + i + " of " + boxes.size() + " is null");
            }
            checkInside(b, i, embedding);
            raw[4 * i] = (float) b.x0();
            raw[4 * i + 1] = (float) b.y0();
            raw[4 * i + 2] = (float) b.x1();
            raw[4 * i + 3] = (float) b.y1();
        }
        float[] input = SamTransform.applyBoxesTorch(raw, new ImageSize(embedding.height(), embedding.width()));
        return run(embedding, List.copyOf(boxes), input, multimask, keepRaw);
    }

    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    private SegmenterInternals.RawSegmentation run(ImageEmbedding embedding, List<Box> prompts,
            float[] inputBoxes, boolean multimask, boolean keepRaw) {
        int b = prompts.size();
        int w = embedding.width();
        int h = embedding.height();
        int plane = w * h;
        Tensor emb = embedding.acquire();
        try {
            return usage.whileOpen(() -> {
                Sam sam = model.sam();
                List<Segmentation> out = new ArrayList<>(b);
                int c = multimask ? model.config().numMaskTokens() - 1 : 1;
                float[] iou = new float[b * c];
                int lowSide = model.config().lowResMaskSize();
                int lowPlane = lowSide * lowSide;
                float[] lowRes = keepRaw ? new float[b * c * lowPlane] : null;
                byte[] pixels = new byte[c * plane];
                try (InferenceScope scope = InferenceScope.open()) {
                    for (int start = 0; start < b; start += MAX_BATCH) {
                        int n = Math.min(MAX_BATCH, b - start);
                        try (PointerScope chunkScope = new PointerScope()) {
                            float[] chunk = Arrays.copyOfRange(inputBoxes, 4 * start, 4 * (start + n));
                            Tensor boxes = PixelTensor.of(chunk, n, 4).toTensor(); // (n, 4)
                            Sam.Prediction pred = sam.predictBoxes(emb, boxes, multimask);
                            pred.iouPredictions().contiguous().data_ptr_float().get(iou, start * c, n * c); // (n, C)
                            Tensor low = pred.lowResLogits().contiguous(); // (n, C, 256, 256)
                            if (lowRes != null) {
                                low.data_ptr_float().get(lowRes, start * c * lowPlane, n * c * lowPlane);
                            }
                            for (int i = 0; i < n; i++) {
                                // Post-process box by box: the same numbers as the batch, a fraction of the memory.
                                try (PointerScope boxScope = new PointerScope()) {
                                    Tensor logits = sam.postprocessMasks(low.narrow(0, i, 1),
                                            embedding.inputHeight(), embedding.inputWidth(), h, w); // (1, C, H, W)
                                    // (1, C, H, W) as 0/1 bytes
                                    Tensor binary = Sam.binarize(logits).to(ScalarType.Byte).contiguous();
                                    binary.data_ptr_byte().get(pixels);
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
                RawPrediction raw = keepRaw ? rawPrediction(prompts, inputBoxes, lowRes, lowSide, iou, c) : null;
                return new SegmenterInternals.RawSegmentation(out, raw);
            });
        } finally {
            embedding.release();
        }
    }

    private static RawPrediction rawPrediction(List<Box> prompts, float[] inputBoxes, float[] lowRes, int lowSide,
            float[] iou, int c) {
        int b = prompts.size();
        float[] boxes = new float[4 * b];
        for (int i = 0; i < b; i++) {
            Box p = prompts.get(i);
            boxes[4 * i] = (float) p.x0();
            boxes[4 * i + 1] = (float) p.y0();
            boxes[4 * i + 2] = (float) p.x1();
            boxes[4 * i + 3] = (float) p.y1();
        }
        return new RawPrediction(PixelTensor.of(boxes, b, 4), PixelTensor.of(inputBoxes, b, 4),
                PixelTensor.of(lowRes, b, c, lowSide, lowSide), PixelTensor.of(iou, b, c), c);
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

    private void checkEmbedding(ImageEmbedding embedding) {
        if (embedding == null) {
            throw new InvalidEmbeddingException("embedding is null; create one with Segmenter.embed(image)");
        }
        if (embedding.owner() != this) {
            throw new InvalidEmbeddingException("this ImageEmbedding was made by another Segmenter; embed the image "
                    + "with the segmenter that segments it (embeddings of different checkpoints are not compatible)");
        }
        if (embedding.isClosed()) {
            throw new ClosedEmbeddingException("this ImageEmbedding (" + embedding.width() + "x" + embedding.height()
                    + " image) was closed; embed the image again with Segmenter.embed, and close the embedding only "
                    + "after its last segment call");
        }
    }

    private static void checkInside(Box box, int index, ImageEmbedding embedding) {
        if (!box.isInside(embedding.width(), embedding.height())) {
            throw new BoxOutsideImageException("box " + index + " " + box + " is not inside the " + embedding.width()
                    + "x" + embedding.height() + " (WxH) image: coordinates must lie in [0, " + embedding.width()
                    + "] x [0, " + embedding.height() + "]. Clip detector boxes with Box.clampTo(width, height).");
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
        return "Segmenter[" + variant() + ", CPU/" + precision + (usage.isClosed() ? ", closed" : "") + "]";
    }

    /** Options of a {@link Segmenter}; {@link #build()} loads the checkpoint. Not thread-safe. */
    public static final class Builder {
        private final Path checkpoint;
        private Precision precision = Precision.FP32;
        private int threads;

        private Builder(Path checkpoint) {
            this.checkpoint = checkpoint;
        }

        /**
         * The precision of the image encoder, where nearly all of the time goes (default {@link Precision#FP32}).
         * {@link Precision#BF16} runs the encoder's patch embedding and ViT blocks on bfloat16 weights (converted
         * once at load time; the attention core stays float32): ViT-B encodes 1.2x, ViT-H 1.5x faster on a CPU with
         * AVX-512 BF16. The neck, the prompt encoder and the mask decoder stay float32, and so does the image
         * embedding. Masks then differ from the float32 ones along their edges (see docs/performance.md).
         * {@link Precision#FP16} is not available: the segmenter runs on the CPU, where libtorch has no usable
         * float16 kernels.
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
         * Validates the options and loads the checkpoint, {@code .pth} (the official release files) or
         * {@code .safetensors}; the variant (ViT-B, ViT-L, ViT-H or another size) is recognised from the tensor
         * shapes.
         *
         * @throws IllegalArgumentException for {@link Precision#FP16} or negative threads
         * @throws CheckpointException if the file is missing, unreadable, not a SAM checkpoint (a GroundingDINO
         *     checkpoint is recognised and named), or its tensors do not match the model strictly
         * @throws dev.groundingdino.NativeLibraryException if libtorch cannot be loaded
         */
        public Segmenter build() {
            if (precision == Precision.FP16) {
                throw new IllegalArgumentException("Precision.FP16 is not available for the Segmenter: it runs on the "
                        + "CPU, where libtorch has no usable float16 kernels. Use Precision.BF16 (fast on CPUs with "
                        + "AVX-512 BF16) or Precision.FP32.");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0 = libtorch's default), got " + threads);
            }
            long t0 = System.nanoTime();
            SamCheckpoint model = SamCheckpoint.load(checkpoint,
                    precision == Precision.BF16 ? ScalarType.BFloat16 : ScalarType.Float);
            if (threads > 0) {
                torch.set_num_threads(threads);
            }
            LOG.info("loaded Segment Anything {} from {} in {} ms (CPU/{})", model.config().name(),
                    checkpoint.getFileName(), (System.nanoTime() - t0) / 1_000_000, precision);
            return new Segmenter(model, precision);
        }
    }
}
