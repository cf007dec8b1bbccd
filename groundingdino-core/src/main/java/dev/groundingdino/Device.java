package dev.groundingdino;

/** Where a {@link Detector} runs its model. */
public enum Device {
    /** The CPU (libtorch's OpenMP / oneDNN / OpenBLAS kernels). Always available. */
    CPU,
    /**
     * The first CUDA GPU. Needs the GPU natives (the build's {@code cuda} profile), a CUDA 13 driver and cuDNN 9;
     * {@link Detector.Builder#build()} fails with a message when none is usable.
     */
    CUDA
}
