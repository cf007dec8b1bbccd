package dev.groundingdino;

import dev.groundingdino.internal.detector.EncodedImage;
import dev.groundingdino.internal.runtime.UsageLock;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Locale;
import java.util.function.Function;

/**
 * One image encoded by a {@link Detector} ({@link Detector#encodeImage}): the part of the forward pass that depends on
 * the image alone (Swin backbone, input projections, position encodings), kept on the detector's device to answer
 * any number of prompts with {@link Detector#detect(ImageFeatures, Prompt)}; each result equals
 * {@code detect(image, prompt)} exactly. Useful when one image is asked several questions, or to run a long class list
 * chunk by chunk yourself.
 *
 * <p>Immutable and thread-safe: several threads may detect on one {@code ImageFeatures} at once. It holds native
 * memory ({@link #sizeInBytes()}: about 36 MB for Swin-T at 800x1067 in FP32) until {@link #close()}, which waits for
 * calls in progress; later use throws {@link IllegalStateException}. Only the detector that encoded it, or one
 * derived from it ({@code withThresholds}, ...), can use it; features left unclosed are freed after the garbage
 * collector finds them unreachable.
 */
public final class ImageFeatures implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final EncodedImage encoded;
    private final UsageLock usage;
    private final Cleaner.Cleanable cleanable;

    ImageFeatures(EncodedImage encoded) {
        this.encoded = encoded;
        this.usage = new UsageLock(() -> "these ImageFeatures (" + encoded.width() + "x" + encoded.height()
                + " image) are closed; encode the image again with Detector.encodeImage, and close them only after "
                + "their last detect call");
        this.cleanable = CLEANER.register(this, encoded::release);
    }

    /** Width of the original image in pixels. */
    public int width() {
        return encoded.width();
    }

    /** Height of the original image in pixels. */
    public int height() {
        return encoded.height();
    }

    /** Bytes of device memory held. */
    public long sizeInBytes() {
        return encoded.bytes();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return usage.isClosed();
    }

    /** Runs {@code body} on the encoded image while these features are open (a concurrent close waits). */
    <T> T use(Function<EncodedImage, T> body) {
        try {
            return usage.whileOpen(() -> body.apply(encoded));
        } finally {
            Reference.reachabilityFence(this); // the cleaner must not free the tensors while a call uses them
        }
    }

    /** Frees the native memory; waits for detect calls using these features. Idempotent. */
    @Override
    public void close() {
        usage.close(cleanable::clean);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ImageFeatures[%dx%d, %.1f MB%s]", width(), height(),
                sizeInBytes() / 1e6, isClosed() ? ", closed" : "");
    }
}
