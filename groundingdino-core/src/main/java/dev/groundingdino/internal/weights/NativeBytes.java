package dev.groundingdino.internal.weights;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/** Direct {@link ByteBuffer} windows onto native memory, which may be larger than one buffer (2 GiB). */
final class NativeBytes {
    /** Largest window handed out at once. */
    static final int CHUNK = 1 << 30;

    private NativeBytes() {}

    /**
     * A buffer over {@code length} bytes at {@code base + offset}; valid only while the memory behind
     * {@code base} is alive. The temporary pointer object is freed right away.
     */
    static ByteBuffer window(Pointer base, long offset, int length) {
        if (length == 0) {
            return ByteBuffer.allocate(0);
        }
        try (BytePointer p = new BytePointer(base)) {
            p.position(offset).limit(offset + length);
            return p.asByteBuffer();
        }
    }
}
