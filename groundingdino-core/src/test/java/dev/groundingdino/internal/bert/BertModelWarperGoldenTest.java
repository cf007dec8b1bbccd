package dev.groundingdino.internal.bert;

import static dev.groundingdino.internal.bert.TextTensors.floats;
import static dev.groundingdino.internal.bert.TextTensors.maxAbsDiff;
import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.bert.TextTensors.textInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.eye;
import static org.bytedeco.pytorch.global.torch.zeros;

import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * BERT ({@link BertModelWarper}) and {@code feat_map} ({@link TextEncoder}) of the golden tiny GroundingDINO
 * against the reference's {@code bert_last_hidden_state} and {@code encoded_text_in} of every case.
 */
class BertModelWarperGoldenTest {
    private static final double ATOL = 1e-5;

    private static StateDict weights;
    private static TextEncoder encoder;

    @BeforeAll
    static void load() {
        Path suite = Golden.gdinoSuite();
        Natives.ensureLoaded();
        weights = StateDict.read(suite.resolve("gdino.pth"));
        encoder = new TextEncoder(BertConfig.tiny(), 256, ParamTree.load(weights::get));
    }

    @AfterAll
    static void close() {
        if (weights != null) {
            weights.close();
        }
    }

    @Test
    void lastHiddenStateAndEncodedTextMatchEveryCase() {
        List<Path> cases = Golden.gdinoCases();
        assertThat(cases).isNotEmpty();
        for (Path c : cases) {
            Map<String, GoldenTensors.Entry> g = GoldenTensors.read(c.resolve("tensors.safetensors"));
            try (InferenceScope s = InferenceScope.open()) {
                Tensor ids = textInput(g.get("input_ids"));
                Tensor types = textInput(g.get("token_type_ids"));
                Tensor pos = textInput(g.get("position_ids"));
                Tensor mask = textInput(g.get("text_self_attention_masks"));
                Tensor hidden = encoder.bert().forward(ids, types, pos, mask);
                Tensor encoded = encoder.featMap(hidden);
                GoldenTensors.Entry eh = g.get("bert_last_hidden_state");
                GoldenTensors.Entry ee = g.get("encoded_text_in");
                assertThat(shape(hidden)).containsExactly(eh.shape());
                assertThat(shape(encoded)).containsExactly(ee.shape());
                double errH = maxAbsDiff(floats(hidden), eh.asFloats());
                double errE = maxAbsDiff(floats(encoded), ee.asFloats());
                System.out.printf("%s: bert_last_hidden_state max |err| %.3g, encoded_text_in max |err| %.3g%n",
                        c.getFileName(), errH, errE);
                assertThat(errH).as("bert_last_hidden_state of %s", c.getFileName()).isLessThan(ATOL);
                assertThat(errE).as("encoded_text_in of %s", c.getFileName()).isLessThan(ATOL);
                // the one-call path gives the same tensor, and null token types mean zeros
                assertThat(maxAbsDiff(floats(encoder.forward(ids, null, pos, mask)), floats(encoded))).isZero();
                // and so does the plain-array path
                int n = (int) ids.size(1);
                long[] idArr = g.get("input_ids").asLongs();
                long[] posArr = g.get("position_ids").asLongs();
                double[] maskArr = g.get("text_self_attention_masks").asDoubles();
                int full = (int) g.get("input_ids").shape()[1];
                boolean[][][] m = new boolean[1][n][n];
                for (int r = 0; r < n; r++) {
                    for (int col = 0; col < n; col++) {
                        m[0][r][col] = maskArr[r * full + col] != 0;
                    }
                }
                Tensor fromArrays = encoder.forward(new long[][] {java.util.Arrays.copyOf(idArr, n)},
                        new long[][] {java.util.Arrays.copyOf(posArr, n)}, m);
                assertThat(maxAbsDiff(floats(fromArrays), floats(encoded))).isZero();
            }
        }
    }

    /**
     * Two captions of different lengths in one batch, the shorter padded with [PAD] tokens that attend only to
     * themselves: the real tokens give the same hidden states as the single runs (masked entries get
     * float32.min, whose exp underflows to exactly 0).
     */
    @Test
    void paddedBatchEqualsSingleRuns() {
        List<Path> cases = Golden.gdinoCases();
        List<Map<String, GoldenTensors.Entry>> gs = new ArrayList<>();
        for (Path c : cases) {
            gs.add(GoldenTensors.read(c.resolve("tensors.safetensors")));
        }
        try (InferenceScope s = InferenceScope.open()) {
            long n = 0;
            for (Map<String, GoldenTensors.Entry> g : gs) {
                n = Math.max(n, textInput(g.get("input_ids")).size(1));
            }
            Tensor[] ids = new Tensor[gs.size()];
            Tensor[] pos = new Tensor[gs.size()];
            Tensor[] masks = new Tensor[gs.size()];
            boolean padded = false;
            for (int i = 0; i < gs.size(); i++) {
                Tensor id = textInput(gs.get(i).get("input_ids"));
                Tensor p = textInput(gs.get(i).get("position_ids"));
                Tensor m = textInput(gs.get(i).get("text_self_attention_masks"));
                long k = id.size(1);
                long extra = n - k;
                padded |= extra > 0;
                TensorOptions longs = new TensorOptions(ScalarType.Long);
                ids[i] = cat(new TensorVector(id, zeros(new long[] {1, extra}, longs)), 1); // (1, n)
                pos[i] = cat(new TensorVector(p, zeros(new long[] {1, extra}, longs)), 1); // (1, n)
                Tensor full = eye(n, new TensorOptions(ScalarType.Bool)).unsqueeze(0);
                full.narrow(1, 0, k).narrow(2, 0, k).copy_(m); // (1, n, n): block mask, then eye for the padding
                masks[i] = full;
            }
            assertThat(padded).as("the golden cases have different lengths").isTrue();
            Tensor batch = encoder.forward(cat(new TensorVector(ids), 0), null, cat(new TensorVector(pos), 0),
                    cat(new TensorVector(masks), 0)); // (B, n, 256)
            for (int i = 0; i < gs.size(); i++) {
                long k = textInput(gs.get(i).get("input_ids")).size(1);
                Tensor single = encoder.forward(textInput(gs.get(i).get("input_ids")), null,
                        textInput(gs.get(i).get("position_ids")), textInput(gs.get(i).get("text_self_attention_masks")));
                double err = maxAbsDiff(floats(batch.select(0, i).narrow(0, 0, k)), floats(single.select(0, 0)));
                assertThat(err).as("batch row %d", i).isLessThan(1e-5);
            }
            assertThat(Double.isFinite(batch.abs().max().item_double())).isTrue();
        }
    }

    @Test
    void rejectsInconsistentShapes() {
        try (InferenceScope s = InferenceScope.open()) {
            TensorOptions longs = new TensorOptions(ScalarType.Long);
            Tensor ids = zeros(new long[] {1, 4}, longs);
            Tensor pos = zeros(new long[] {1, 5}, longs);
            Tensor mask = zeros(new long[] {1, 4, 4}, new TensorOptions(ScalarType.Bool));
            assertThatThrownBy(() -> encoder.forward(ids, null, pos, mask)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("position ids");
            assertThatThrownBy(() -> encoder.forward(ids, null, ids, mask.narrow(2, 0, 3)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("self-attention mask");
            assertThatThrownBy(() -> encoder.forward(new long[][] {{101, 102}}, new long[][] {{0, 0}},
                    new boolean[][][] {{{true, false}}})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch row 0");
            assertThatThrownBy(() -> encoder.forward(new long[][] {{101, 102}}, new long[][] {{0, 0}, {0, 0}},
                    new boolean[][][] {{{true, false}, {false, true}}})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch size");
        }
    }
}
