package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.pytorch.Tensor;

/** utils.py::_get_activation_fn for the supported {@link TransformerConfig.Activation}s. */
final class Activations {
    private Activations() {}

    static Tensor apply(TransformerConfig.Activation activation, Tensor x) {
        return switch (activation) {
            case RELU -> relu(x);
            case GELU -> gelu(x);
        };
    }
}
