package dev.groundingdino;

/** Where a {@link Detector} runs its model. */
public enum Device {
    /** The CPU (libtorch's OpenMP / oneDNN / OpenBLAS kernels). Always available. */
    CPU,
    /**
     * The first CUDA GPU. Needs the GPU natives (the build's {@code cuda} profile), a CUDA 13 driver and cuDNN 9;
     * {@link Detector.Builder#build()} fails with a message when none is usable.
     */
    CUDA;

    /**
     * Whether models can run here: always for the CPU; for CUDA, whether libtorch sees a usable GPU (the GPU natives
     * of the build's {@code cuda} profile, an NVIDIA driver for CUDA 13 and cuDNN 9). Loads the natives.
     */
    public boolean isAvailable() {
        return this == CPU || dev.groundingdino.internal.runtime.Devices.cudaAvailable();
    }
}
