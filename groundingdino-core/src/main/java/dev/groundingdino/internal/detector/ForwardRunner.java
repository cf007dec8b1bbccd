package dev.groundingdino.internal.detector;

import dev.groundingdino.BatchProgress;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Device;
import dev.groundingdino.GroundingDinoException;
import dev.groundingdino.InvalidValueException;
import dev.groundingdino.NativeLibraryException;
import dev.groundingdino.RawOutputs;
import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.TextBatch;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.ImageTensors;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.postprocess.QueryOutputs;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.internal.transformer.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs a detector's forward passes: images decoded and resized on worker threads while the previous batch runs on
 * the model (a bounded pipeline: at most the next batch is prepared ahead), each batch one forward pass in its own
 * native scope on the calling thread, the outputs copied to the host once per batch, libtorch failures mapped to
 * {@link NativeLibraryException}.
 *
 * <p>Batches follow the reference's {@code nested_tensor_from_tensor_list}: images of different sizes are zero-padded
 * to a common size with a padding mask, so an image's result can depend on the batch it is in (padding changes the
 * Swin's windows); with batch size 1 (the default) every image gets exactly its single-image result.
 */
public final class ForwardRunner {
    /** Preprocessing threads shared by all detectors: decoding and Pillow-exact resizing are plain Java. */
    private static final ExecutorService PREPROCESS = Executors.newFixedThreadPool(
            Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2)), new ThreadFactory() {
                private final AtomicInteger count = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "gdino-preprocess-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });

    private ForwardRunner() {}

    /** One image ready for the model: its original size and the resized uint8 image. */
    private record Prepared(int width, int height, RgbImage resized) {
        static Prepared of(RgbImage image) {
            return new Prepared(image.width(), image.height(), GroundingDinoTransform.resize(image));
        }
    }

    /** One batch's outputs on the host: {@code [B, Q, S]} logits and {@code [B, Q, 4]} boxes. */
    private record Outputs(int batch, int queries, int slots, float[] logits, float[] boxes) {
        QueryOutputs row(int b) {
            int l = queries * slots;
            return QueryOutputs.of(queries, slots, Arrays.copyOfRange(logits, b * l, (b + 1) * l),
                    Arrays.copyOfRange(boxes, b * queries * 4, (b + 1) * queries * 4));
        }
    }

    /**
     * Detects {@code query} in every image, in order.
     *
     * @param images decoders of the images (called on worker threads, or inline for a single image)
     */
    public static List<DetectionResult> detect(DetectorModel model, List<Supplier<RgbImage>> images, Query query,
            DetectionSettings settings, BatchProgress progress) {
        int n = images.size();
        int batchSize = Math.min(settings.batchSize(), n);
        int batches = (n + batchSize - 1) / batchSize;
        List<DetectionResult> out = new ArrayList<>(n);
        if (n == 1) {
            Prepared p = Prepared.of(images.get(0).get());
            progress.update(BatchProgress.Stage.PREPROCESS, 1, 1);
            List<Outputs> o = forward(model, List.of(p), query);
            progress.update(BatchProgress.Stage.FORWARD, 1, 1);
            out.add(ResultBuilder.build(rows(o, 0), query, p.width(), p.height(), settings));
            progress.update(BatchProgress.Stage.POSTPROCESS, 1, 1);
            return out;
        }
        List<CompletableFuture<Prepared>> pending = new ArrayList<>(n);
        int submitted = 0;
        int prepared = 0;
        try {
            for (int b = 0; b < batches; b++) {
                int from = b * batchSize;
                int to = Math.min(n, from + batchSize);
                // keep this batch and the next one in preparation (bounded look-ahead)
                int ahead = Math.min(n, to + batchSize);
                for (; submitted < ahead; submitted++) {
                    Supplier<RgbImage> source = images.get(submitted);
                    pending.add(CompletableFuture.supplyAsync(() -> Prepared.of(source.get()), PREPROCESS));
                }
                List<Prepared> batch = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    batch.add(await(pending.get(i)));
                    pending.set(i, null); // the image is held by the batch only
                    progress.update(BatchProgress.Stage.PREPROCESS, ++prepared, n);
                }
                List<Outputs> o = forward(model, batch, query);
                progress.update(BatchProgress.Stage.FORWARD, b + 1, batches);
                for (int i = 0; i < batch.size(); i++) {
                    Prepared p = batch.get(i);
                    out.add(ResultBuilder.build(rows(o, i), query, p.width(), p.height(), settings));
                    progress.update(BatchProgress.Stage.POSTPROCESS, out.size(), n);
                }
            }
            return out;
        } finally {
            for (CompletableFuture<Prepared> f : pending) {
                if (f != null) {
                    f.cancel(false);
                }
            }
        }
    }

    /**
     * The raw head outputs of one image on the query's whole caption (a class list over 256 tokens is not chunked
     * here: the model sees its first 256 tokens, as in the reference).
     */
    public static RawOutputs rawOutputs(DetectorModel model, RgbImage image, Query query) {
        Prepared p = Prepared.of(image);
        Outputs o = forward(model, List.of(p), query.whole()).get(0);
        return new RawOutputs(p.width(), p.height(), query.caption(), o.queries(), o.slots(), o.logits(),
                o.boxes());
    }

    /** The backbone output of one image ({@link EncodedImage}), on the model's device. */
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public static EncodedImage encode(DetectorModel model, RgbImage image) {
        Prepared p = Prepared.of(image);
        GroundingDINO gdino = model.loaded().model();
        try (InferenceScope scope = InferenceScope.open()) {
            return new EncodedImage(model, p.width(), p.height(), gdino.encodeImages(samples(gdino, List.of(p)), null));
        } catch (GroundingDinoException | IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw nativeFailure(model, "image encoder", e);
        }
    }

    /** Detects {@code query} on an image encoded before: the same result as {@link #detect} on the image. */
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public static DetectionResult detect(DetectorModel model, EncodedImage image, Query query,
            DetectionSettings settings) {
        if (image.model() != model) {
            throw new InvalidValueException("these ImageFeatures were encoded by a detector with other weights; "
                    + "encode the image with this detector (or one derived from it with with...)");
        }
        List<Outputs> o;
        try (InferenceScope scope = InferenceScope.open()) {
            o = parts(model, image.features(), 1, query);
        } catch (GroundingDinoException | IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw nativeFailure(model, "forward pass", e);
        }
        return ResultBuilder.build(rows(o, 0), query, image.width(), image.height(), settings);
    }

    /** Row {@code b} of every part's outputs. */
    private static List<QueryOutputs> rows(List<Outputs> outputs, int b) {
        List<QueryOutputs> out = new ArrayList<>(outputs.size());
        for (Outputs o : outputs) {
            out.add(o.row(b));
        }
        return out;
    }

    private static Prepared await(CompletableFuture<Prepared> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GroundingDinoException("interrupted while preparing the images", e);
        } catch (ExecutionException | CompletionException | CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException r) {
                throw r; // ImageException naming the image, or another failure of the decoder
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new GroundingDinoException("preparing an image failed: " + cause, cause);
        }
    }

    /** One forward pass per part of the query on a batch of images, the backbone run once for all parts. */
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    private static List<Outputs> forward(DetectorModel model, List<Prepared> images, Query query) {
        GroundingDINO gdino = model.loaded().model();
        try (InferenceScope scope = InferenceScope.open()) {
            GroundingDINO.Features features = gdino.encodeImages(samples(gdino, images), null);
            return parts(model, features, images.size(), query);
        } catch (GroundingDinoException | IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw nativeFailure(model, "forward pass", e);
        }
    }

    /** The images normalised on the model's device and padded to one batch. */
    private static NestedTensor samples(GroundingDINO gdino, List<Prepared> images) {
        List<Tensor> pixels = new ArrayList<>(images.size());
        for (Prepared p : images) {
            pixels.add(gdino.normalizeImage(ImageTensors.hwc(p.resized()))); // (3, H, W) on the device
        }
        return images.size() == 1 ? NestedTensor.unpadded(pixels.get(0).unsqueeze(0))
                : NestedTensor.fromTensorList(pixels);
    }

    /**
     * The text side, transformer and heads of every part of the query on the same image features, one part after
     * the other, each in its own nested scope (a chunked class list frees each chunk's intermediates before the next).
     */
    private static List<Outputs> parts(DetectorModel model, GroundingDINO.Features features, int batch, Query query) {
        GroundingDINO gdino = model.loaded().model();
        List<Outputs> out = new ArrayList<>(query.parts().size());
        for (Query.Part part : query.parts()) {
            Scopes.run(() -> {
                TextBatch text = TextBatch.of(List.of(part.encoding()));
                if (batch > 1) {
                    text = text.repeat(batch);
                }
                Transformer.TextFeatures encoded = gdino.encodeText(text, features.srcs().get(0).device(), null);
                GroundingDINO.Output o = gdino.forward(features, encoded, null);
                // the one host read of the part (a sync on CUDA): its results
                float[] logits = HostTensors.floats(o.predLogits()); // (B, Q, S)
                float[] boxes = HostTensors.floats(o.predBoxes()); // (B, Q, 4)
                int q = (int) o.predLogits().size(1);
                int s = (int) o.predLogits().size(2);
                out.add(new Outputs(batch, q, s, logits, boxes));
            });
        }
        return out;
    }

    private static NativeLibraryException nativeFailure(DetectorModel model, String stage, RuntimeException e) {
        return new NativeLibraryException("the GroundingDINO " + stage + " failed in libtorch: " + e.getMessage()
                + (model.device() == Device.CUDA ? " (on CUDA this is often out of GPU memory: use smaller "
                        + "batches, Detector.builder(..).batchSize(..))" : ""), e);
    }
}
