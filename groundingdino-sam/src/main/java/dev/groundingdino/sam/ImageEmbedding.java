package dev.groundingdino.sam;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.bytedeco.pytorch.Tensor;

/**
 * The image encoder's output for one image ({@code SamPredictor.set_image}), to be reused for any number of
 * {@link Segmenter#segment} calls. Holds about 4 MB of native memory until {@link #close()}; close it when the
 * image is done (try-with-resources). Thread-safe: several threads may segment with one embedding; {@code close}
 * waits for calls in progress.
 */
public final class ImageEmbedding implements AutoCloseable {
    private final Segmenter owner;
    private final int width;
    private final int height;
    private final int inputWidth;
    private final int inputHeight;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Tensor embedding; // (1, 256, 64, 64); null once closed

    ImageEmbedding(Segmenter owner, Tensor embedding, int width, int height, int inputWidth, int inputHeight) {
        this.owner = owner;
        this.embedding = embedding;
        this.width = width;
        this.height = height;
        this.inputWidth = inputWidth;
        this.inputHeight = inputHeight;
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
            return embedding == null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Releases the native memory. Idempotent; waits for {@code segment} calls that use this embedding. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (embedding != null) {
                embedding.releaseReference();
                embedding = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    Segmenter owner() {
        return owner;
    }

    int inputWidth() {
        return inputWidth;
    }

    int inputHeight() {
        return inputHeight;
    }

    /**
     * Takes a shared hold on the embedding tensor for one call; release it with {@link #release()}.
     *
     * @throws ClosedEmbeddingException if closed
     */
    Tensor acquire() {
        lock.readLock().lock();
        if (embedding == null) {
            lock.readLock().unlock();
            throw new ClosedEmbeddingException("this ImageEmbedding (" + width + "x" + height + " image) was closed; "
                    + "embed the image again with Segmenter.embed, and close the embedding only after its last "
                    + "segment call");
        }
        return embedding;
    }

    void release() {
        lock.readLock().unlock();
    }

    @Override
    public String toString() {
        return "ImageEmbedding[" + width + "x" + height + (isClosed() ? ", closed" : "") + "]";
    }
}
