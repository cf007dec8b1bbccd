package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.internal.runtime.Natives;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The one place where SAM 2 code touches tensor memory from the host. Uploads fill a fresh CPU tensor and then move
 * it to the target device; downloads move the tensor to the CPU first ({@code data_ptr} of a CUDA tensor crashes the
 * JVM). Every tensor created here belongs to the caller's native scope.
 */
public final class HostTensors {
    private HostTensors() {}

    /** A uint8 tensor of {@code shape} holding {@code values} (row-major) on {@code device}. */
    public static Tensor bytes(byte[] values, Device device, long... shape) {
        Tensor t = empty(ScalarType.Byte, shape, values.length);
        t.data_ptr_byte().put(values, 0, values.length);
        return onDevice(t, device);
    }

    /** A float32 tensor of {@code shape} holding {@code values} (row-major) on {@code device}. */
    public static Tensor floats(float[] values, Device device, long... shape) {
        Tensor t = empty(ScalarType.Float, shape, values.length);
        t.data_ptr_float().put(values, 0, values.length);
        return onDevice(t, device);
    }

    /** An int32 tensor of {@code shape} holding {@code values} (row-major) on {@code device}. */
    public static Tensor ints(int[] values, Device device, long... shape) {
        Tensor t = empty(ScalarType.Int, shape, values.length);
        t.data_ptr_int().put(values, 0, values.length);
        return onDevice(t, device);
    }

    /** The values of {@code t} (any device, any real dtype) as float32, row-major. */
    public static float[] toFloats(Tensor t) {
        Tensor c = t.to(ScalarType.Float).cpu().contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        c.data_ptr_float().get(out);
        return out;
    }

    /** The values of {@code t} (any device) as {@code != 0}, row-major. */
    public static boolean[] toBools(Tensor t) {
        Tensor c = t.to(ScalarType.Bool).to(ScalarType.Byte).cpu().contiguous();
        byte[] raw = new byte[Math.toIntExact(c.numel())];
        c.data_ptr_byte().get(raw);
        boolean[] out = new boolean[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] != 0;
        }
        return out;
    }

    private static Tensor empty(ScalarType type, long[] shape, int length) {
        Natives.ensureLoaded();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException(length + " values for a tensor of " + n + " elements");
        }
        return torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional()); // CPU
    }

    private static Tensor onDevice(Tensor cpu, Device device) {
        return device == null || device.is_cpu() ? cpu : cpu.to(device, cpu.scalar_type());
    }
}
