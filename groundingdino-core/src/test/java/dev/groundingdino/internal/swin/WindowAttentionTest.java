package dev.groundingdino.internal.swin;

import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.backbone.BackboneTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class WindowAttentionTest {

    /** Window 2: tokens (0,0),(0,1),(1,0),(1,1); index = (dh + 1) * 3 + (dw + 1). */
    @Test
    void relativePositionIndexOfASmallWindow() {
        assertThat(WindowAttention.relativePositionIndex(2)).containsExactly(
                4, 3, 1, 0,
                5, 4, 2, 1,
                7, 6, 4, 3,
                8, 7, 5, 4);
        long[] seven = WindowAttention.relativePositionIndex(7);
        assertThat(seven).hasSize(49 * 49);
        assertThat(seven[0]).isEqualTo(84); // centre of the 13x13 table: (0 + 6) * 13 + (0 + 6)
        assertThat(java.util.Arrays.stream(seven).max().getAsLong()).isEqualTo(168);
        seven[0] = -1; // a copy: the cache stays intact
        assertThat(WindowAttention.relativePositionIndex(7)[0]).isEqualTo(84);
    }

    @Test
    void loadingChecksTheStoredIndexAgainstTheComputedOne() {
        Natives.ensureLoaded();
        Map<String, Tensor> params = new HashMap<>();
        try (PointerScope scope = new PointerScope()) {
            int ws = 2;
            params.put("attn.relative_position_bias_table", torch.zeros(9, 1));
            params.put("attn.relative_position_index",
                    torch.tensor(WindowAttention.relativePositionIndex(ws)).view(4, 4));
            params.put("attn.qkv.weight", torch.zeros(12, 4));
            params.put("attn.qkv.bias", torch.zeros(12));
            params.put("attn.proj.weight", torch.zeros(4, 4));
            params.put("attn.proj.bias", torch.zeros(4));
            WindowAttention.checkRelativePositionIndex("attn.relative_position_index",
                    params.get("attn.relative_position_index"));

            long[] wrong = WindowAttention.relativePositionIndex(ws);
            wrong[6] = 0;
            params.put("attn.relative_position_index", torch.tensor(wrong).view(4, 4));
            assertThatThrownBy(() -> WindowAttention.checkRelativePositionIndex("attn.relative_position_index",
                    params.get("attn.relative_position_index")))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("attn.relative_position_index[1, 2]");
        }
    }

    /**
     * With zero qkv/proj weights and a bias-only qkv, attention is uniform over the window's values (here v = 1 for
     * every token), so the output is the projection bias; with the relative bias table making one key dominant the
     * output follows that key's value. Checks head splitting, the bias gather and the mask broadcast.
     */
    @Test
    void relativeBiasAndMaskSteerTheAttention() {
        Natives.ensureLoaded();
        try (InferenceScope scope = InferenceScope.open()) {
            int ws = 2;
            int dim = 2;
            Map<String, Tensor> params = new HashMap<>();
            Tensor table = torch.zeros(9, 2);
            params.put("relative_position_bias_table", table);
            params.put("relative_position_index", torch.tensor(WindowAttention.relativePositionIndex(ws)).view(4, 4));
            // qkv: q = k = 0; v = x (identity on the value rows)
            Tensor qkvW = torch.zeros(6, 2);
            qkvW.narrow(0, 4, 2).copy_(torch.eye(2));
            params.put("qkv.weight", qkvW);
            params.put("qkv.bias", torch.zeros(6));
            params.put("proj.weight", torch.eye(2));
            params.put("proj.bias", torch.zeros(2));
            WindowAttention attn = new WindowAttention(dim, ws, 2, true, ParamTree.load(params::get)); // replaced below

            // one window of 4 tokens, value of token t = (t, 10 t) (channel 0 -> head 0, channel 1 -> head 1)
            Tensor x = torch.tensor(new float[] {0, 0, 1, 10, 2, 20, 3, 30}).view(1, 4, 2);
            double[] uniform = values(attn.forward(x, null));
            for (int t = 0; t < 4; t++) {
                assertThat(uniform[2 * t]).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-6));
                assertThat(uniform[2 * t + 1]).isCloseTo(15, org.assertj.core.data.Offset.offset(1e-5));
            }
            // head 0, table row 0 = relative offset (hq - hk, wq - wk) = (-1, -1): only query (0,0) -> key (1,1)
            // the bias is a constant of the model built at load: a model on the changed table
            table.select(0, 0).select(0, 0).fill_(new org.bytedeco.pytorch.Scalar(50.0));
            double[] biased = values(new WindowAttention(dim, ws, 2, true, ParamTree.load(params::get))
                    .forward(x, null));
            // query token 0 = (0,0): key (1,1) has dh = -1, dw = -1 -> +50 in head 0 -> output ~ value 3
            assertThat(biased[0]).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(biased[1]).isCloseTo(15, org.assertj.core.data.Offset.offset(1e-5)); // head 1 unaffected
            // query token 3 = (1,1): no key at dh = dw = -1 -> head 0 stays uniform
            assertThat(biased[6]).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-6));

            // a -100 mask between token 0 and the rest isolates it: query 0 sees only itself (value 0)
            Tensor mask = torch.zeros(1, 4, 4);
            mask.select(0, 0).select(0, 0).narrow(0, 1, 3).fill_(new org.bytedeco.pytorch.Scalar(-100.0));
            mask.select(0, 0).select(1, 0).narrow(0, 1, 3).fill_(new org.bytedeco.pytorch.Scalar(-100.0));
            table.zero_();
            attn = new WindowAttention(dim, ws, 2, true, ParamTree.load(params::get));
            double[] masked = values(attn.forward(x, mask));
            assertThat(masked[0]).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(masked[1]).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(masked[2]).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-6)); // mean of 1, 2, 3
            assertThat(shape(attn.forward(torch.cat(new org.bytedeco.pytorch.TensorVector(x, x), 0), mask)))
                    .containsExactly(2, 4, 2);
        }
    }
}
