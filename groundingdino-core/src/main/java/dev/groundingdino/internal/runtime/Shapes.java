package dev.groundingdino.internal.runtime;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/** A tensor's shape as Java values (sizes only: no tensor memory is read), for checks and messages. */
public final class Shapes {
    private Shapes() {}

    /** The sizes of {@code t}, e.g. {@code [1, 3, 800, 1067]}. */
    public static long[] of(Tensor t) {
        long[] out = new long[(int) t.dim()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.size(i);
        }
        return out;
    }

    /** The sizes of {@code t} for a message: {@code "[1, 3, 800, 1067]"}. */
    public static String format(Tensor t) {
        return Arrays.toString(of(t));
    }
}
