package dev.groundingdino.internal.runtime;

import dev.groundingdino.NativeLibraryException;
import org.bytedeco.pytorch.global.torch;

/** What the loaded libtorch offers: CUDA availability, and the process-wide float32 settings of CUDA kernels. */
public final class Devices {
    private Devices() {}

    /** Whether libtorch sees a usable CUDA GPU (loads the natives first). */
    public static boolean cudaAvailable() {
        Natives.ensureLoaded();
        return torch.cuda_is_available();
    }

    /** Whether the loaded natives are libtorch's GPU build (the `cuda` Maven profile). */
    public static boolean cudaBuild() {
        Natives.ensureLoaded();
        return torch.hasCUDA();
    }

    /**
     * Checks that a CUDA GPU is usable.
     *
     * @param who the class asking, for the message ({@code "Detector"}, {@code "Segmenter"})
     * @throws NativeLibraryException naming why not and what to do, in API terms
     */
    public static void requireCuda(String who) {
        if (!cudaAvailable()) {
            throw new NativeLibraryException(who + ".builder(..).device(Device.CUDA) was requested, but libtorch sees "
                    + "no usable CUDA GPU (" + (cudaBuild() ? "the GPU natives are loaded, but no device or driver "
                    + "was found" : "these are the CPU-only natives: build with the `cuda` Maven profile") + "). Use "
                    + "Device.CPU, or run on a machine with an NVIDIA GPU, a CUDA 13 driver and cuDNN 9.");
        }
    }

    /**
     * Makes float32 CUDA arithmetic really float32: TF32 off for cuDNN convolutions and cuBLAS matmuls
     * ({@code torch.backends.cudnn.allow_tf32 = False}, {@code set_float32_matmul_precision("highest")}).
     * Process-wide, like those Python settings.
     */
    public static void disableTf32() {
        torch.globalContext().setAllowTF32CuDNN(false);
        torch.globalContext().setFloat32MatmulPrecision("highest");
    }
}
