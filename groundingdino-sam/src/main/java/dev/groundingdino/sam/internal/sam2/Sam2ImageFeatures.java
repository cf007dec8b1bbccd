package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.internal.runtime.UsageLock;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;

/**
 * One image's SAM 2.1 features ({@code SAM2ImagePredictor._features} and {@code _orig_hw}), to be reused for any
 * number of predictions: the image embedding {@code (1, 256, 64, 64)} and the two projected high-resolution levels
 * {@code (1, 32, 256, 256)} and {@code (1, 64, 128, 128)} on the model's device (about 13.6 MB in float32). Owns its
 * tensors until {@link #close()}; thread-safe (several predictions may use it at once, {@code close} waits for them).
 */
public final class Sam2ImageFeatures implements AutoCloseable {
    private final Object owner;
    private final int originalHeight;
    private final int originalWidth;
    private final UsageLock usage = new UsageLock(() -> "these SAM 2 image features were closed; embed the image "
            + "again");
    private final SAM2Base.ImageFeatures tensors;

    /** Takes its own reference to each tensor of {@code features} (created in any scope). */
    Sam2ImageFeatures(Object owner, SAM2Base.ImageFeatures features, int originalHeight, int originalWidth) {
        this.owner = owner;
        this.originalHeight = originalHeight;
        this.originalWidth = originalWidth;
        features.imageEmbed().retainReference();
        features.highResFeat0().retainReference();
        features.highResFeat1().retainReference();
        this.tensors = features;
    }

    /** Height of the original image in pixels. */
    public int originalHeight() {
        return originalHeight;
    }

    /** Width of the original image in pixels. */
    public int originalWidth() {
        return originalWidth;
    }

    /** The predictor that made these features. */
    Object owner() {
        return owner;
    }

    /**
     * Runs {@code body} on the feature tensors while they are open (tensor-level use inside the caller's inference
     * scope; the tensors must not escape {@code body}).
     *
     * @throws IllegalStateException if closed
     */
    public <T> T use(Function<SAM2Base.ImageFeatures, T> body) {
        return usage.whileOpen(() -> body.apply(tensors));
    }

    public boolean isClosed() {
        return usage.isClosed();
    }

    /** Releases the native memory. Idempotent; waits for predictions that use these features. */
    @Override
    public void close() {
        usage.close(() -> {
            for (Tensor t : new Tensor[] {tensors.imageEmbed(), tensors.highResFeat0(), tensors.highResFeat1()}) {
                t.releaseReference();
            }
        });
    }
}
