package dev.groundingdino.sam.internal;

import dev.groundingdino.sam.Box;
import dev.groundingdino.sam.ImageEmbedding;
import dev.groundingdino.sam.Segmentation;
import dev.groundingdino.sam.Segmenter;
import java.util.List;
import java.util.Objects;

/**
 * Internal entry points of {@link Segmenter} that are not public API (the command-line tool's {@code --dump-raw}):
 * {@code Segmenter} registers its implementation here when its class is initialised.
 */
public final class SegmenterInternals {
    /** A segmentation together with the raw model outputs it was computed from. */
    public record RawSegmentation(List<Segmentation> segmentations, RawPrediction raw) {}

    /** Implemented by {@link Segmenter}. */
    public interface Access {
        RawSegmentation segmentWithRaw(Segmenter segmenter, ImageEmbedding embedding, Box box, boolean multimask);

        RawSegmentation segmentWithRaw(Segmenter segmenter, ImageEmbedding embedding, List<Box> boxes,
                boolean multimask);
    }

    private static volatile Access access;

    private SegmenterInternals() {}

    /** Called once by {@link Segmenter}'s static initialiser. */
    public static synchronized void register(Access implementation) {
        Objects.requireNonNull(implementation, "implementation");
        if (access != null) {
            throw new IllegalStateException("Segmenter internals are already registered");
        }
        access = implementation;
    }

    /**
     * {@link Segmenter#segment(ImageEmbedding, Box, boolean)} (the float64 {@code predict} path), also returning the
     * low-resolution logits and IoU predictions; same checks and exceptions.
     */
    public static RawSegmentation segmentWithRaw(Segmenter segmenter, ImageEmbedding embedding, Box box,
            boolean multimask) {
        return access(segmenter).segmentWithRaw(segmenter, embedding, box, multimask);
    }

    /**
     * {@link Segmenter#segment(ImageEmbedding, List, boolean)} (batched {@code predict_torch}), also returning the
     * low-resolution logits and IoU predictions; same checks and exceptions.
     */
    public static RawSegmentation segmentWithRaw(Segmenter segmenter, ImageEmbedding embedding, List<Box> boxes,
            boolean multimask) {
        return access(segmenter).segmentWithRaw(segmenter, embedding, boxes, multimask);
    }

    private static Access access(Segmenter segmenter) {
        Objects.requireNonNull(segmenter, "segmenter");
        Access a = access;
        if (a == null) {
            throw new IllegalStateException("Segmenter did not register its internals");
        }
        return a;
    }
}
