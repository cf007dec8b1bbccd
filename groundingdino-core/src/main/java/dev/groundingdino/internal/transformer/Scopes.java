package dev.groundingdino.internal.transformer;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Bounds the native memory of a forward pass: runs one layer (or chunk) in a nested {@link PointerScope} so its
 * temporaries are freed as soon as it returns, while its result tensors are handed to the caller's scope (the
 * enclosing inference scope frees them at the end of the call). Without this, every intermediate of the whole
 * forward pass would stay allocated until the inference scope closes. Without an enclosing scope the body simply
 * runs in the caller's context.
 */
public final class Scopes {
    private Scopes() {}

    /** Runs {@code body} in a nested scope; its result survives into the enclosing scope. */
    public static Tensor tensor(Supplier<Tensor> body) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer == null) {
            return body.get();
        }
        try (PointerScope inner = new PointerScope()) {
            Tensor result = body.get();
            outer.attach(result);
            return result;
        }
    }

    /** Runs {@code body} in a nested scope for its side effects (e.g. writing into a tensor of the caller). */
    public static void run(Runnable body) {
        if (PointerScope.getInnerScope() == null) {
            body.run();
            return;
        }
        try (PointerScope inner = new PointerScope()) {
            body.run();
        }
    }

    /** Runs {@code body} in a nested scope; {@code keep} tensors of its result survive into the enclosing scope. */
    public static <T> T keep(Supplier<T> body, java.util.function.Function<T, Tensor[]> keep) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer == null) {
            return body.get();
        }
        try (PointerScope inner = new PointerScope()) {
            T result = body.get();
            for (Tensor t : keep.apply(result)) {
                outer.attach(t);
            }
            return result;
        }
    }
}
