package dev.groundingdino.sam.internal.sam2.layers;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Tensors a loaded model owns beyond its checkpoint's: weights copied to another device or dtype, and the constants
 * computed once at load (position embeddings of the fixed 1024x1024 input). Each is kept with its own reference, so
 * it survives the native scope it was created in; {@link #close()} releases them all. Not thread-safe: filled while
 * loading, released once.
 */
public final class OwnedTensors implements AutoCloseable {
    private final List<Tensor> tensors = new ArrayList<>();
    private boolean closed;

    /** Takes a reference to {@code t} (created in any scope) and returns it. */
    public Tensor keep(Tensor t) {
        if (closed) {
            throw new IllegalStateException("these tensors were released");
        }
        t.retainReference();
        tensors.add(t);
        return t;
    }

    /** Number of tensors kept. */
    public int size() {
        return tensors.size();
    }

    /** Releases every kept tensor. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Tensor t : tensors) {
            t.releaseReference();
        }
        tensors.clear();
    }
}
