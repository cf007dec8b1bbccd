package dev.groundingdino.internal.image;

import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.runtime.Natives;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A float32 tensor held in a Java array, row-major (C order), with its shape: the hand-off from the preprocessing
 * transforms to libtorch. Immutable: the array is never exposed, only copied or viewed read-only.
 */
public final class PixelTensor {
    private final float[] data;
    private final long[] shape;

    private PixelTensor(float[] data, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor dimensions must be positive, got " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + data.length);
        }
        this.data = data;
        this.shape = shape;
    }

    /** A tensor of {@code shape} holding a copy of {@code data} (row-major). */
    public static PixelTensor of(float[] data, long... shape) {
        return new PixelTensor(data.clone(), shape.clone());
    }

    /** Takes ownership of {@code data} without copying; only for arrays nobody else references. */
    static PixelTensor wrap(float[] data, long... shape) {
        return new PixelTensor(data, shape.clone());
    }

    /** The shape, e.g. {@code [3, H, W]} or {@code [1, 3, 1024, 1024]}. */
    public long[] shape() {
        return shape.clone();
    }

    public int numel() {
        return data.length;
    }

    /** The value at a flat row-major index. */
    public float get(int flatIndex) {
        return data[flatIndex];
    }

    /** A copy of the values. */
    public float[] toArray() {
        return data.clone();
    }

    /** A read-only view of the values (no copy). */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * A new contiguous CPU float32 {@link Tensor} with this shape and a copy of the values. It is attached to the
     * caller's innermost {@code PointerScope} (e.g. an {@code InferenceScope}) if one is open; otherwise the caller
     * must {@code close()} it.
     */
    public Tensor toTensor() {
        return HostTensors.fromFloats(data, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PixelTensor other && Arrays.equals(other.shape, shape) && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "PixelTensor" + Arrays.toString(shape);
    }
}
