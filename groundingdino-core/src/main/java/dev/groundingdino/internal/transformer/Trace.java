package dev.groundingdino.internal.transformer;

import org.bytedeco.pytorch.Tensor;

/**
 * A debugging hook that receives named intermediate tensors of a forward pass (the names of the golden
 * fingerprints: {@code src0}, {@code enc1_deform}, {@code memory}, {@code hs0}, ...). The tensors belong to the
 * caller's inference scope: read or copy them before it closes. Passing {@code null} where a trace is accepted
 * records nothing.
 */
@FunctionalInterface
public interface Trace {
    /** Receives the intermediate {@code value} called {@code name}. */
    void record(String name, Tensor value);

    /** Records into {@code trace} if it is not null. */
    static void record(Trace trace, String name, Tensor value) {
        if (trace != null) {
            trace.record(name, value);
        }
    }
}
