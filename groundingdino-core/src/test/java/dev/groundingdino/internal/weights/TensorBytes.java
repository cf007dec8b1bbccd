package dev.groundingdino.internal.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Test access to tensor contents and identity, every native temporary freed. */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
final class TensorBytes {
    private TensorBytes() {}

    /** The C-order bytes of {@code t}. */
    static byte[] of(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.is_cpu() ? t.contiguous() : t.cpu().contiguous();
            byte[] out = new byte[(int) c.nbytes()];
            if (out.length > 0) {
                dev.groundingdino.internal.runtime.HostTensors.window(c, 0, out.length).get(out);
            }
            return out;
        }
    }

    static float[] floats(Tensor t) {
        ByteBuffer b = ByteBuffer.wrap(of(t)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    static long[] longs(Tensor t) {
        ByteBuffer b = ByteBuffer.wrap(of(t)).order(ByteOrder.LITTLE_ENDIAN);
        long[] l = new long[b.remaining() / 8];
        b.asLongBuffer().get(l);
        return l;
    }

    /** Address of element [0,...,0]. */
    static long address(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return t.data_ptr().address();
        }
    }

    static long[] strides(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return t.strides().vec().get();
        }
    }

    static long[] sizes(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return t.sizes().vec().get();
        }
    }
}
