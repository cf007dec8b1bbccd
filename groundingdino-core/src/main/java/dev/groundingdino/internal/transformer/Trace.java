package dev.groundingdino.internal.transformer;

import org.bytedeco.pytorch.Tensor;

/**
 * A debugging hook that receives named intermediate tensors of a forward pass (the names of the golden
 * fingerprints: {@code src0}, {@code enc1_deform}, {@code memory}, {@code hs0}, ...). The tensors belong to the
 * caller's inference scope: read or copy them before it closes (see {@link #keepsTensors()}). Passing
 * {@code null} where a trace is accepted records nothing.
 */
@FunctionalInterface
public interface Trace {
    /** Receives the intermediate {@code value} called {@code name}. */
    void record(String name, Tensor value);

    /**
     * Whether this trace reads the recorded tensors after the stage that recorded them returned (true by default).
     * Stages run in nested scopes that free their intermediates when they return; with a trace that keeps tensors,
     * they run in the caller's scope instead so the recorded tensors stay valid. A trace that only notes names or
     * times returns false and leaves the memory behaviour unchanged.
     */
    default boolean keepsTensors() {
        return true;
    }

    /** Whether stages must keep every recorded intermediate alive for {@code trace} (null: no). */
    static boolean keeps(Trace trace) {
        return trace != null && trace.keepsTensors();
    }

    /** Records into {@code trace} if it is not null. */
    static void record(Trace trace, String name, Tensor value) {
        if (trace != null) {
            trace.record(name, value);
        }
    }
}
