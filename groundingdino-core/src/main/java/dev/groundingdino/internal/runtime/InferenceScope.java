package dev.groundingdino.internal.runtime;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;

/**
 * The per-call lifetime of native memory: inference mode (no autograd bookkeeping) plus a JavaCPP
 * {@link PointerScope} that frees every temporary tensor created on this thread when it closes.
 *
 * <p>Open it on the thread that does the work and close it on the same thread (both are thread-local RAII
 * guards, closed in LIFO order). Results that must outlive the scope are copied to Java arrays before it closes,
 * or detached with {@code retainReference()}.
 */
public final class InferenceScope implements AutoCloseable {
    private final InferenceMode inferenceMode;
    private final PointerScope pointerScope;

    private InferenceScope() {
        Natives.ensureLoaded();
        this.inferenceMode = new InferenceMode();
        this.pointerScope = new PointerScope();
    }

    /** Opens a new scope on the current thread. */
    public static InferenceScope open() {
        return new InferenceScope();
    }

    @Override
    public void close() {
        try {
            pointerScope.close();
        } finally {
            inferenceMode.close();
        }
    }
}
