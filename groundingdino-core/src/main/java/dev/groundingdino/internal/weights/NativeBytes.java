package dev.groundingdino.internal.weights;

/** The largest byte window read or written at once (native memory may exceed one 2 GiB buffer). */
final class NativeBytes {
    /** Largest window handed out at once. */
    static final int CHUNK = 1 << 30;

    private NativeBytes() {}
}
