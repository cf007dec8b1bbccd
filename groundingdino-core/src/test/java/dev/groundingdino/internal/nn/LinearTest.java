package dev.groundingdino.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** {@link Linear} (oneDNN for CPU float32) against {@code torch.linear}, plus its parameter names and dtype rule. */
class LinearTest {

    @Test
    void oneDnnProductEqualsTorchLinearForAnyLeadingShape() {
        try (InferenceScope scope = InferenceScope.open()) {
            torch.manual_seed(1);
            Tensor w = torch.randn(24, 40);
            Tensor b = torch.randn(24);
            for (long[] shape : new long[][] {{40}, {7, 40}, {2, 5, 40}, {3, 1, 4, 40}}) {
                Tensor x = torch.randn(shape);
                Tensor expected = torch.linear(x, w, new TensorOptional(b));
                Tensor actual = Linear.apply(x, w, b);
                assertThat(actual.sizes().vec().get()).containsExactly(expected.sizes().vec().get());
                double scale = expected.abs().max().item_double();
                assertThat(actual.sub(expected).abs().max().item_double()).isLessThan(1e-6 * scale);
                Tensor noBias = Linear.apply(x, w, null);
                assertThat(noBias.sub(torch.linear(x, w)).abs().max().item_double()).isLessThan(1e-6 * scale);
            }
            // a non-contiguous input (a transposed view) gives the product of its values
            Tensor t = torch.randn(40, 9).t(); // (9, 40) view
            Tensor expected = torch.linear(t, w, new TensorOptional(b));
            assertThat(Linear.apply(t, w, b).sub(expected).abs().max().item_double())
                    .isLessThan(1e-6 * expected.abs().max().item_double());
        }
    }

    @Test
    void inputsFollowTheWeightsDtype() {
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor w = torch.randn(4, 8).to(ScalarType.BFloat16);
            Tensor out = Linear.apply(torch.randn(3, 8), w, null); // float32 input, bfloat16 weights
            assertThat(out.scalar_type().intern()).isEqualTo(ScalarType.BFloat16);
        }
    }

    @Test
    void declaresTheReferenceNames() {
        ParamTree p = ParamTree.declare();
        new Linear(8, 4, p.child("fc1"));
        new Linear(8, 4, false, p.child("reduction"));
        new LayerNorm(8, 1e-12, p.child("LayerNorm"));
        new MLP(8, 16, 4, 3, p.child("bbox_embed"));
        Map<String, long[]> declared = p.declared();
        assertThat(declared.keySet()).containsExactly("fc1.weight", "fc1.bias", "reduction.weight",
                "LayerNorm.weight", "LayerNorm.bias", "bbox_embed.layers.0.weight", "bbox_embed.layers.0.bias",
                "bbox_embed.layers.1.weight", "bbox_embed.layers.1.bias", "bbox_embed.layers.2.weight",
                "bbox_embed.layers.2.bias");
        assertThat(declared.get("bbox_embed.layers.1.weight")).containsExactly(16, 16);
        assertThat(declared.get("bbox_embed.layers.2.weight")).containsExactly(4, 16);
        assertThatThrownBy(() -> new Linear(0, 4, ParamTree.declare())).isInstanceOf(IllegalArgumentException.class);
    }
}
