package dev.groundingdino.internal.deformable;

import static org.bytedeco.pytorch.global.torch.tensor;

import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Test helpers: random Java arrays, Java arrays to tensors and back (shared by the g3 model tests). */
public final class TensorArrays {
    private TensorArrays() {}

    public static float[] uniform(Random r, int n, double lo, double hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return out;
    }

    public static float[] gaussian(Random r, int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (std * r.nextGaussian());
        }
        return out;
    }

    /** A float32 CPU tensor holding a copy of {@code data} with {@code shape}. */
    public static Tensor tensorOf(float[] data, long... shape) {
        return tensor(data).view(shape).clone();
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

    public static double maxAbsDiff(float[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " != " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
