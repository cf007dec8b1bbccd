package dev.groundingdino.internal.runtime;

import org.bytedeco.pytorch.Tensor;

/**
 * Child-process entry point of {@link NativesTest}: loads libtorch the way the library does (unless told to skip
 * the pre-extraction) and prints the result of a small tensor computation.
 */
public final class NativesProbe {
    private NativesProbe() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--no-prewarm")) {
            org.bytedeco.javacpp.Loader.load(org.bytedeco.pytorch.global.torch.class);
        } else {
            Natives.ensureLoaded();
        }
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor t = org.bytedeco.pytorch.global.torch.arange(new org.bytedeco.pytorch.Scalar(5));
            System.out.println("SUM=" + t.sum().item_long());
        }
    }
}
