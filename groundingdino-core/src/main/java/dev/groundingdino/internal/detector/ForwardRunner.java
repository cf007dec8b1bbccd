package dev.groundingdino.internal.detector;

import dev.groundingdino.BatchProgress;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Device;
import dev.groundingdino.GroundingDinoException;
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
            Outputs o = forward(model, List.of(p), query);
            progress.update(BatchProgress.Stage.FORWARD, 1, 1);
            out.add(ResultBuilder.build(o.row(0), query, p.width(), p.height(), settings));
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
                Outputs o = forward(model, batch, query);
                progress.update(BatchProgress.Stage.FORWARD, b + 1, batches);
                for (int i = 0; i < batch.size(); i++) {
                    Prepared p = batch.get(i);
                    out.add(ResultBuilder.build(o.row(i), query, p.width(), p.height(), settings));
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

    /** The raw head outputs of one image. */
    public static RawOutputs rawOutputs(DetectorModel model, RgbImage image, Query query) {
        Prepared p = Prepared.of(image);
        Outputs o = forward(model, List.of(p), query);
        return new RawOutputs(p.width(), p.height(), query.encoding().caption(), o.queries(), o.slots(), o.logits(),
                o.boxes());
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

    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    private static Outputs forward(DetectorModel model, List<Prepared> images, Query query) {
        GroundingDINO gdino = model.loaded().model();
        int batch = images.size();
        try (InferenceScope scope = InferenceScope.open()) {
            List<Tensor> pixels = new ArrayList<>(batch);
            for (Prepared p : images) {
                pixels.add(gdino.normalizeImage(ImageTensors.hwc(p.resized()))); // (3, H, W) on the device
            }
            NestedTensor samples = batch == 1 ? NestedTensor.unpadded(pixels.get(0).unsqueeze(0))
                    : NestedTensor.fromTensorList(pixels);
            TextBatch text = TextBatch.of(List.of(query.encoding()));
            if (batch > 1) {
                text = text.repeat(batch);
            }
            GroundingDINO.Output out = gdino.forward(samples, text, null);
            // the one host read of the batch (a sync on CUDA): the results
            float[] logits = HostTensors.floats(out.predLogits()); // (B, Q, S)
            float[] boxes = HostTensors.floats(out.predBoxes()); // (B, Q, 4)
            int q = (int) out.predLogits().size(1);
            int s = (int) out.predLogits().size(2);
            return new Outputs(batch, q, s, logits, boxes);
        } catch (GroundingDinoException | IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NativeLibraryException("the GroundingDINO forward pass failed in libtorch: " + e.getMessage()
                    + (model.device() == Device.CUDA ? " (on CUDA this is often out of GPU memory: use smaller "
                            + "batches, Detector.builder(..).batchSize(..))" : ""), e);
        }
    }
}
