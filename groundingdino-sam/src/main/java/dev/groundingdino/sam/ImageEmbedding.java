package dev.groundingdino.sam;

import dev.groundingdino.sam.internal.model.MaskModel;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The image encoder's output for one image ({@code SamPredictor.set_image}), to be reused for any number of
 * {@link Segmenter#segment} calls. Holds native memory (about 4 MB for SAM, on the segmenter's device) until
 * {@link #close()}; close it when the image is done (try-with-resources). Thread-safe: several threads may segment
 * with one embedding; {@code close} waits for calls in progress, and any later use throws
 * {@link IllegalStateException}.
 */
public final class ImageEmbedding implements AutoCloseable {
    private final Segmenter owner;
    private final int width;
    private final int height;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private MaskModel.ImageFeatures features; // null once closed

    ImageEmbedding(Segmenter owner, MaskModel.ImageFeatures features) {
        this.owner = owner;
        this.features = features;
        this.width = features.width();
        this.height = features.height();
    }

    /** Width of the original image in pixels. */
    public int width() {
        return width;
    }

    /** Height of the original image in pixels. */
    public int height() {
        return height;
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return features == null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Releases the native memory. Idempotent; waits for {@code segment} calls that use this embedding. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (features != null) {
                features.close();
                features = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    Segmenter owner() {
        return owner;
    }

    /**
     * Takes a shared hold on the features for one call; release it with {@link #release()}.
     *
     * @throws IllegalStateException if closed
     */
    MaskModel.ImageFeatures acquire() {
        lock.readLock().lock();
        if (features == null) {
            lock.readLock().unlock();
            throw new IllegalStateException("this ImageEmbedding (" + width + "x" + height + " image) was closed; "
                    + "embed the image again with Segmenter.embed, and close the embedding only after its last "
                    + "segment call");
        }
        return features;
    }

    void release() {
        lock.readLock().unlock();
    }

    @Override
    public String toString() {
        return "ImageEmbedding[" + width + "x" + height + (isClosed() ? ", closed" : "") + "]";
    }
}
