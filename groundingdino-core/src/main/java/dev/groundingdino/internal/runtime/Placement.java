package dev.groundingdino.internal.runtime;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where a model lives, decided once when it is built: the libtorch device (the CPU or one CUDA GPU) and the
 * floating-point type of its weights. Module constructors create their constants with it ({@link ParamTree#constant}),
 * and loaders move the checkpoint's tensors with {@link #place} after validating them on the CPU.
 *
 * <p>Immutable and thread-safe. The native device handle lives as long as the placement (models keep it for their
 * whole life; it is a few bytes).
 */
public final class Placement {
    /** The CPU in float32: the reference's setting. */
    public static final Placement CPU_FLOAT = new Placement(false, 0, ScalarType.Float);

    private final boolean cuda;
    private final int index;
    private final ScalarType dtype;
    private volatile Device device;

    private Placement(boolean cuda, int index, ScalarType dtype) {
        ScalarType type = dtype.intern();
        if (type != ScalarType.Float && type != ScalarType.BFloat16 && type != ScalarType.Half) {
            throw new IllegalArgumentException("models run in Float, BFloat16 or Half, not " + dtype);
        }
        this.cuda = cuda;
        this.index = index;
        this.dtype = type;
    }

    /** The CPU with weights in {@code dtype}. */
    public static Placement cpu(ScalarType dtype) {
        return dtype.intern() == ScalarType.Float ? CPU_FLOAT : new Placement(false, 0, dtype);
    }

    /** CUDA GPU {@code index} with weights in {@code dtype}. */
    public static Placement cuda(int index, ScalarType dtype) {
        if (index < 0) {
            throw new IllegalArgumentException("CUDA device index must be >= 0, got " + index);
        }
        return new Placement(true, index, dtype);
    }

    public boolean isCuda() {
        return cuda;
    }

    /** The floating-point type of the weights. */
    public ScalarType dtype() {
        return dtype;
    }

    /** The libtorch device (a handle owned by this placement: do not close it). */
    public Device device() {
        Device d = device;
        if (d == null) {
            synchronized (this) {
                d = device;
                if (d == null) {
                    Natives.ensureLoaded();
                    d = cuda ? new Device(torch.DeviceType.CUDA, (byte) index) : new Device(torch.DeviceType.CPU);
                    d.retainReference(); // outlives any scope open on the creating thread
                    device = d;
                }
            }
        }
        return d;
    }

    /** Tensor options of {@code type} on this device (in the caller's scope). */
    public TensorOptions options(ScalarType type) {
        return new TensorOptions(type).device(new DeviceOptional(device()));
    }

    /**
     * {@code t} on this device, floating-point tensors in {@link #dtype()} (other types keep theirs); {@code t} itself
     * when it already is. The result is in the caller's scope.
     */
    public Tensor place(Tensor t) {
        ScalarType type = t.scalar_type().intern();
        boolean floating = type == ScalarType.Float || type == ScalarType.BFloat16 || type == ScalarType.Half
                || type == ScalarType.Double;
        return to(t, floating ? dtype : type);
    }

    /** {@code t} on this device in {@code type}; {@code t} itself when it already is. */
    public Tensor to(Tensor t, ScalarType type) {
        boolean here = cuda ? t.is_cuda() && t.device().index() == index : t.is_cpu();
        if (here && t.scalar_type().intern() == type.intern()) {
            return t;
        }
        return t.to(device(), type);
    }

    /** Whether {@code t} lives on this placement's device. */
    public boolean holds(Tensor t) {
        return cuda ? t.is_cuda() && t.device().index() == index : t.is_cpu();
    }

    /** A short name for messages and cache keys: {@code cpu/Float}, {@code cuda:0/Half}. */
    @Override
    public String toString() {
        return (cuda ? "cuda:" + index : "cpu") + "/" + dtype;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placement p && p.cuda == cuda && p.index == index && p.dtype == dtype;
    }

    @Override
    public int hashCode() {
        return (cuda ? 31 + index : 0) * 17 + dtype.hashCode();
    }
}
