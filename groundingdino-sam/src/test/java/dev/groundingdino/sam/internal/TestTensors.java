package dev.groundingdino.sam.internal;

import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Test helpers moving values between Java arrays and libtorch tensors. */
final class TestTensors {
    private TestTensors() {}

    /** A new float32 tensor of {@code shape} holding {@code values} (attached to the current scope, if any). */
    static Tensor floats(float[] values, long... shape) {
        Natives.ensureLoaded();
        Tensor t = torch.empty(shape, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
        t.data_ptr_float().put(values, 0, values.length);
        return t;
    }

    /** The values of {@code t}, row-major, as doubles. */
    static double[] doubles(Tensor t) {
        Tensor c = t.contiguous().to(ScalarType.Double);
        double[] out = new double[(int) c.numel()];
        c.data_ptr_double().get(out);
        return out;
    }

    /** The values of a bool tensor, row-major. */
    static boolean[] bools(Tensor t) {
        Tensor c = t.contiguous().to(ScalarType.Byte);
        byte[] raw = new byte[(int) c.numel()];
        c.data_ptr_byte().get(raw);
        boolean[] out = new boolean[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] != 0;
        }
        return out;
    }

    static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }

    /**
     * Every F32 tensor of a safetensors file as a libtorch tensor created OUTSIDE any scope (the caller closes
     * them), read with the independent golden reader.
     */
    static Map<String, Tensor> readFloatTensors(Path safetensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, GoldenTensors.Entry> e : GoldenTensors.read(safetensors).entrySet()) {
            out.put(e.getKey(), floats(e.getValue().asFloats(), e.getValue().shape()));
        }
        return out;
    }

    /** Largest |a - b|. */
    static double maxAbsDiff(double[] a, double[] b) {
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
