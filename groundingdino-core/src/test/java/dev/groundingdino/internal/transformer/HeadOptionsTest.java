package dev.groundingdino.internal.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.testing.TensorValues;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** The head options of transformers' ports: the box logit and MM-GroundingDINO's biased contrastive head. */
class HeadOptionsTest {

    @Test
    void boxLogitsFollowTheirFormulasAtTheClampedEnds() {
        double[] xs = {0.0, 1e-6, 1e-4, 5e-4, 0.3, 0.9995, 0.99999, 1.0};
        try (InferenceScope scope = InferenceScope.open()) {
            float[] in = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                in[i] = (float) xs[i];
            }
            Tensor x = TensorValues.tensor(in, xs.length);
            float[] hf = TensorValues.floats(TransformerConfig.BoxLogit.LOGIT_EPS_1E5.apply(x));
            float[] ref = TensorValues.floats(TransformerConfig.BoxLogit.INVERSE_SIGMOID.apply(x));
            for (int i = 0; i < xs.length; i++) {
                float v = in[i];
                // float32 clamps and complements, as libtorch computes them
                float z = Math.min(Math.max(v, 1e-5f), 1f - 1e-5f);
                double logit = Math.log((double) z / (1f - z));
                float c = Math.min(Math.max(v, 0f), 1f);
                double inverse = Math.log((double) Math.max(c, 1e-3f) / Math.max(1f - c, 1e-3f));
                assertThat((double) hf[i]).as("logit(%s)", v).isCloseTo(logit, org.assertj.core.api.Assertions
                        .within(2e-5 * Math.max(1, Math.abs(logit))));
                assertThat((double) ref[i]).as("inverse_sigmoid(%s)", v).isCloseTo(inverse, org.assertj.core.api
                        .Assertions.within(2e-5 * Math.max(1, Math.abs(inverse))));
            }
            assertThat(hf[2]).isLessThan(ref[2] - 2); // at 1e-4 the two differ by log(10)
        }
    }

    @Test
    void biasedContrastiveHeadScalesByTheWidthAndAddsItsBias() {
        TransformerConfig mm = TransformerConfig.tiny().withHeads(TransformerConfig.BoxLogit.LOGIT_EPS_1E5, true);
        assertThat(ParamTree.declare()).satisfies(p -> {
            ContrastiveEmbed.of(mm, p.child("class_embed").child(0));
            assertThat(p.declared()).containsOnlyKeys("class_embed.0.bias");
            assertThat(p.declared().get("class_embed.0.bias")).isEmpty();
        });
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor bias = TensorValues.tensor(new float[] {-4.5f}).view(new long[0]);
            ContrastiveEmbed head = ContrastiveEmbed.of(mm, ParamTree.load(name -> bias));
            float[] q = {1, 2, 3, 4, -1, 0, 2, 1};
            float[] t = {1, 0, 0, 1, 2, 2, 2, 2, 0, 1, -1, 3};
            Tensor x = TensorValues.tensor(q, 1, 2, 4);
            Tensor text = TensorValues.tensor(t, 1, 3, 4);
            Tensor mask = TensorValues.tensor(new float[] {1, 1, 0}, 1, 3).to(ScalarType.Bool);
            float[] out = TensorValues.floats(head.forward(x, text, mask));
            assertThat(out).hasSize(2 * 256);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 256; j++) {
                    double expected = Double.NEGATIVE_INFINITY;
                    if (j < 2) {
                        double dot = 0;
                        for (int c = 0; c < 4; c++) {
                            dot += q[i * 4 + c] * t[j * 4 + c];
                        }
                        expected = dot / Math.sqrt(4) - 4.5;
                    }
                    assertThat((double) out[i * 256 + j]).as("[%d, %d]", i, j).isEqualTo(expected);
                }
            }
            float[] plain = TensorValues.floats(new ContrastiveEmbed().forward(x, text, mask));
            assertThat(plain[0]).isEqualTo(1 + 4); // q0 . t0 without scale or bias
        }
    }
}
