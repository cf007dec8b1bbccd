package dev.groundingdino.internal.runtime;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The one place where the library touches tensor memory from Java. Reading a CUDA tensor's memory through
 * {@code data_ptr_*()} crashes the JVM (the pointer is a device address), so every read here first copies the tensor
 * to a contiguous CPU tensor of the requested type ({@code .to(cpu, dtype).contiguous()}: a no-op for a CPU tensor that
 * already is), and every write goes into a CPU tensor this class just allocated. Model code never calls
 * {@code data_ptr}; an architecture test keeps it so.
 *
 * <p>Reading a CUDA tensor synchronises with its stream: call these only where the host needs the values (the final
 * outputs of a call, checkpoint checks at load time).
 */
public final class HostTensors {
    private HostTensors() {}

    /** {@code t}'s values as float32, row-major. */
    public static float[] floats(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = onHost(t, ScalarType.Float);
            float[] out = new float[Math.toIntExact(c.numel())];
            c.data_ptr_float().get(out);
            return out;
        }
    }

    /**
     * Copies {@code t}'s values as float32, row-major, into {@code dst} from {@code offset} (a batch filling one
     * array row block by row block).
     */
    public static void floats(Tensor t, float[] dst, int offset) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = onHost(t, ScalarType.Float);
            int n = Math.toIntExact(c.numel());
            c.data_ptr_float().get(dst, offset, n);
        }
    }

    /** {@code t}'s values as int64, row-major. */
    public static long[] longs(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = onHost(t, ScalarType.Long);
            long[] out = new long[Math.toIntExact(c.numel())];
            c.data_ptr_long().get(out);
            return out;
        }
    }

    /** {@code t}'s values as bytes, row-major (uint8 values; a bool tensor gives 0 / 1). */
    public static byte[] bytes(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = onHost(t, ScalarType.Byte);
            byte[] out = new byte[Math.toIntExact(c.numel())];
            c.data_ptr_byte().get(out);
            return out;
        }
    }

    /**
     * A new contiguous CPU float32 tensor of {@code shape} holding a copy of {@code data}, in the caller's scope.
     *
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} values
     */
    public static Tensor fromFloats(float[] data, long... shape) {
        Tensor t = allocate(ScalarType.Float, data.length, shape);
        t.data_ptr_float().put(data, 0, data.length);
        return t;
    }

    /** A new contiguous CPU int64 tensor of {@code shape} holding a copy of {@code data}, in the caller's scope. */
    public static Tensor fromLongs(long[] data, long... shape) {
        Tensor t = allocate(ScalarType.Long, data.length, shape);
        t.data_ptr_long().put(data, 0, data.length);
        return t;
    }

    /** A new contiguous CPU int32 tensor of {@code shape} holding a copy of {@code data}, in the caller's scope. */
    public static Tensor fromInts(int[] data, long... shape) {
        Tensor t = allocate(ScalarType.Int, data.length, shape);
        t.data_ptr_int().put(data, 0, data.length);
        return t;
    }

    /** A new contiguous CPU uint8 tensor of {@code shape} holding a copy of {@code data}, in the caller's scope. */
    public static Tensor fromBytes(byte[] data, long... shape) {
        Tensor t = allocate(ScalarType.Byte, data.length, shape);
        t.data_ptr_byte().put(data, 0, data.length);
        return t;
    }

    /** {@link #fromFloats} moved to {@code device} (in the caller's scope). */
    public static Tensor floats(float[] values, org.bytedeco.pytorch.Device device, long... shape) {
        return onDevice(fromFloats(values, shape), device);
    }

    /** {@link #fromInts} moved to {@code device} (in the caller's scope). */
    public static Tensor ints(int[] values, org.bytedeco.pytorch.Device device, long... shape) {
        return onDevice(fromInts(values, shape), device);
    }

    /** {@link #fromBytes} moved to {@code device} (in the caller's scope). */
    public static Tensor bytes(byte[] values, org.bytedeco.pytorch.Device device, long... shape) {
        return onDevice(fromBytes(values, shape), device);
    }

    /** {@link #floats(Tensor)}: the values of {@code t} (any device, any real dtype) as float32, row-major. */
    public static float[] toFloats(Tensor t) {
        return floats(t);
    }

    /** The values of {@code t} (any device) as {@code != 0}, row-major. */
    public static boolean[] toBools(Tensor t) {
        byte[] raw;
        try (PointerScope scope = new PointerScope()) {
            raw = bytes(t.ne(new org.bytedeco.pytorch.Scalar(0L)));
        }
        boolean[] out = new boolean[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] != 0;
        }
        return out;
    }

    private static Tensor onDevice(Tensor t, org.bytedeco.pytorch.Device device) {
        return device == null || device.is_cpu() ? t : t.to(device, t.scalar_type());
    }

    /**
     * A direct buffer over {@code length} bytes of a contiguous CPU tensor's memory from byte {@code offset}, for
     * checkpoint readers and writers moving raw bytes; valid while the tensor lives.
     *
     * @throws IllegalArgumentException if {@code t} is not a contiguous CPU tensor or the range is outside it
     */
    public static ByteBuffer window(Tensor t, long offset, int length) {
        if (!t.is_cpu() || !t.is_contiguous()) {
            throw new IllegalArgumentException("raw byte windows need a contiguous CPU tensor (copy it with "
                    + "HostTensors first)");
        }
        if (offset < 0 || length < 0 || offset + length > t.nbytes()) {
            throw new IllegalArgumentException("byte range [" + offset + ", " + (offset + length) + ") is outside a "
                    + t.nbytes() + "-byte tensor");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0);
        }
        try (BytePointer p = new BytePointer(t.data_ptr())) {
            p.position(offset).limit(offset + length);
            return p.asByteBuffer();
        }
    }

    /**
     * The address of {@code t}'s first element, for telling views of one storage apart (never dereferenced here: safe
     * for a tensor on any device).
     */
    public static long address(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return t.data_ptr().address();
        }
    }

    private static Tensor allocate(ScalarType type, long n, long... shape) {
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + java.util.Arrays.toString(shape));
            }
            numel *= d;
        }
        if (numel != n) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " needs " + numel
                    + " values, got " + n);
        }
        Natives.ensureLoaded();
        try (TensorOptions options = new TensorOptions(type); MemoryFormatOptional format = new MemoryFormatOptional()) {
            return torch.empty(shape, options, format);
        }
    }

    private static Tensor onHost(Tensor t, ScalarType type) {
        Tensor c = t.is_cpu() ? t : t.cpu();
        if (c.scalar_type().intern() != type) {
            c = c.to(type);
        }
        return c.contiguous();
    }
}
