package dev.groundingdino;

/** The floating-point type of a {@link Detector}'s weights and activations. */
public enum Precision {
    /** float32: matches the reference to ~1e-5 (the default). */
    FP32,
    /**
     * bfloat16: about twice as fast on CPUs with AVX-512 BF16 and on GPUs, with ~1e-2 relative differences in
     * scores and boxes (detections near a threshold may flip).
     */
    BF16,
    /**
     * float16: GPU only (libtorch has no usable float16 CPU kernels: a CPU matmul runs at ~1 GFLOP/s), like the
     * reference's {@code model.half()} on CUDA.
     */
    FP16
}
