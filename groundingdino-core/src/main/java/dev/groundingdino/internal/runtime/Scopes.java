package dev.groundingdino.internal.runtime;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Bounds the native memory of a forward pass: runs one block, layer or stage in a nested {@link PointerScope} so
 * that its temporaries are freed as soon as it returns, while the tensors it hands back are attached to the
 * caller's scope (and freed when that one closes). Without this, every intermediate of a whole forward pass stays
 * allocated until the call's {@link InferenceScope} closes (6 GB at 800x1065 for GroundingDINO).
 *
 * <p>Rules for bodies: a tensor that must outlive the body is either returned through one of these methods or was
 * created before it; traces and other side channels must only receive tensors that escape. Without an enclosing
 * scope the body simply runs in the caller's context.
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

    /** Runs {@code body} in a nested scope; every tensor of the returned list survives into the enclosing scope. */
    public static List<Tensor> tensors(Supplier<List<Tensor>> body) {
        return keep(body, list -> list.toArray(new Tensor[0]));
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

    /**
     * Runs {@code steps} steps one after another (layers of a stack), each in its own nested scope, and frees every
     * intermediate state as soon as the next step has been computed from it; the final state belongs to the caller's
     * scope. Without this, the output of every layer of a stack would stay allocated until the stack's scope
     * closes (6 encoder layers x 2 outputs x 18 MB at 800x1065).
     *
     * @param initial the input state (owned by the caller; never freed here)
     * @param steps number of steps
     * @param step computes the state after step {@code i} from the state before it
     * @param tensors the tensors of a state (null entries are skipped)
     * @return the state after the last step ({@code initial} when {@code steps} is 0)
     */
    public static <T> T chain(T initial, int steps, BiFunction<Integer, T, T> step, Function<T, Tensor[]> tensors) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer == null) {
            T state = initial;
            for (int i = 0; i < steps; i++) {
                state = step.apply(i, state);
            }
            return state;
        }
        T state = initial;
        Tensor[] held = new Tensor[0]; // references this method holds on the current state (none on the initial one)
        try {
            for (int i = 0; i < steps; i++) {
                T next;
                Tensor[] nextHeld;
                try (PointerScope inner = new PointerScope()) {
                    next = step.apply(i, state);
                    nextHeld = distinct(tensors.apply(next));
                    for (Tensor t : nextHeld) {
                        t.retainReference(); // outlives the step's scope
                    }
                }
                release(held);
                held = nextHeld;
                state = next;
            }
            for (Tensor t : held) {
                outer.attach(t); // the caller's scope now owns the final state
            }
        } finally {
            release(held);
        }
        return state;
    }

    private static Tensor[] distinct(Tensor[] tensors) {
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (Tensor t : tensors) {
            if (t != null) {
                seen.put(t, Boolean.TRUE);
            }
        }
        return seen.keySet().toArray(new Tensor[0]);
    }

    private static void release(Tensor[] tensors) {
        for (Tensor t : tensors) {
            t.releaseReference();
        }
    }

    /**
     * {@link #keep} unless {@code inline} is true, in which case {@code body} runs in the caller's scope and every
     * tensor it creates survives: for stages that hand intermediates to a debugging trace, which must stay valid
     * until the caller's scope closes.
     */
    public static <T> T keepUnless(boolean inline, Supplier<T> body, Function<T, Tensor[]> keep) {
        return inline ? body.get() : keep(body, keep);
    }

    /**
     * Runs {@code body} in a nested scope; the tensors {@code keep} names in its result survive into the enclosing
     * scope (null entries are skipped).
     */
    public static <T> T keep(Supplier<T> body, Function<T, Tensor[]> keep) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer == null) {
            return body.get();
        }
        try (PointerScope inner = new PointerScope()) {
            T result = body.get();
            for (Tensor t : keep.apply(result)) {
                if (t != null) {
                    outer.attach(t);
                }
            }
            return result;
        }
    }
}
