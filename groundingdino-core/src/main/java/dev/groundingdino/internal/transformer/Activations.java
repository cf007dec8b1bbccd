package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.gelu_;

import org.bytedeco.pytorch.Tensor;

/** utils.py::_get_activation_fn for the supported {@link TransformerConfig.Activation}s. */
final class Activations {
    private Activations() {}

    /** Applies the activation in place to {@code x} (a fresh tensor owned by the caller) and returns it. */
    static Tensor applyInPlace(TransformerConfig.Activation activation, Tensor x) {
        return switch (activation) {
            case RELU -> x.relu_();
            case GELU -> gelu_(x);
        };
    }
}
