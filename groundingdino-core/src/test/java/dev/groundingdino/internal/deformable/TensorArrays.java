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
        return dev.groundingdino.testing.TensorValues.floats(t);
    }

    public static double[] doubles(Tensor t) {
        return dev.groundingdino.testing.TensorValues.doubles(t);
    }

    public static long[] longs(Tensor t) {
        return dev.groundingdino.testing.TensorValues.longs(t);
    }

    public static double maxAbsDiff(float[] a, double[] b) {
        return dev.groundingdino.testing.TensorValues.maxAbsDiff(a, b);
    }
}
