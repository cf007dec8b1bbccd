package dev.groundingdino.testing;

import dev.groundingdino.internal.runtime.Natives;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Tensor contents as Java arrays, and array differences: the one copy of these helpers for every test package. */
public final class TensorValues {
    private TensorValues() {}

    /** A new float32 tensor of {@code shape} holding {@code values} (attached to the current scope, if any). */
    public static Tensor tensor(float[] values, long... shape) {
        Natives.ensureLoaded();
        Tensor t = torch.empty(shape, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
        if (t.numel() != values.length) {
            throw new AssertionError(values.length + " values for " + t.numel() + " elements");
        }
        t.data_ptr_float().put(values, 0, values.length);
        return t;
    }

    /** The values of a bool (or any) tensor, row-major, as {@code != 0}. */
    public static boolean[] bools(Tensor t) {
        Tensor c = t.contiguous().to(ScalarType.Byte);
        byte[] raw = new byte[(int) c.numel()];
        c.data_ptr_byte().get(raw);
        boolean[] out = new boolean[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] != 0;
        }
        return out;
    }

    public static float[] floats(Tensor t) {
        Tensor c = t.contiguous().to(ScalarType.Float);
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }

    public static double[] doubles(Tensor t) {
        Tensor c = t.contiguous().to(ScalarType.Double);
        double[] out = new double[(int) c.numel()];
        c.data_ptr_double().get(out);
        return out;
    }

    public static long[] longs(Tensor t) {
        Tensor c = t.contiguous().to(ScalarType.Long);
        long[] out = new long[(int) c.numel()];
        c.data_ptr_long().get(out);
        return out;
    }

    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }

    /** Max |a - b| over two equally long arrays; NaN if a NaN appears on either side. */
    public static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /** Max |a - b| over two equally long float arrays; NaN if a NaN appears on either side. */
    public static double maxAbsDiff(float[] a, float[] b) {
        return maxAbsDiff(widen(a), widen(b));
    }

    /** Max |a - b| of float values against double references; NaN if a NaN appears on either side. */
    public static double maxAbsDiff(float[] a, double[] b) {
        return maxAbsDiff(widen(a), b);
    }

    public static double[] widen(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
