package dev.groundingdino.internal.transformer;

import static dev.groundingdino.internal.bert.TextTensors.floats;
import static dev.groundingdino.internal.bert.TextTensors.maxAbsDiff;
import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.bert.TextTensors.textInput;
import static dev.groundingdino.internal.bert.TextTensors.toTensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.eye;
import static org.bytedeco.pytorch.global.torch.zeros;

import dev.groundingdino.internal.bert.SinePosEmbed;
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
 * The text enhancer of every encoder layer of the golden tiny GroundingDINO: {@code enc{i}_fusion_l} (text after
 * the fusion block) -> {@code enc{i}_text}, with the sine text position embedding of the case's position ids and
 * the inverted sub-sentence mask, for every case.
 */
class TransformerEncoderLayerTest {
    private static final double ATOL = 1e-5;

    private static StateDict weights;
    private static List<TransformerEncoderLayer> layers;

    @BeforeAll
    static void load() {
        Path suite = Golden.gdinoSuite();
        Natives.ensureLoaded();
        int encLayers = Golden.json(suite.resolve("config.json")).get("slconfig").get("enc_layers").asInt();
        weights = StateDict.read(suite.resolve("gdino.pth"));
        ParamTree textLayers = ParamTree.load(weights::get).child("transformer").child("encoder").child("text_layers");
        layers = new ArrayList<>();
        for (int i = 0; i < encLayers; i++) {
            layers.add(new TransformerEncoderLayer(TransformerEncoderLayer.Config.tiny(), textLayers.child(i)));
        }
    }

    @AfterAll
    static void close() {
        if (weights != null) {
            weights.close();
        }
    }

    @Test
    void mapsFusedTextToEnhancedTextForEveryCaseAndLayer() {
        List<Path> cases = Golden.gdinoCases();
        assertThat(cases).isNotEmpty();
        for (Path c : cases) {
            Map<String, GoldenTensors.Entry> g = GoldenTensors.read(c.resolve("tensors.safetensors"));
            try (InferenceScope s = InferenceScope.open()) {
                Tensor pos = SinePosEmbed.textPositionEmbedding(textInput(g.get("position_ids"))); // (1, n, 256)
                Tensor blocked = textInput(g.get("text_self_attention_masks")).logical_not(); // (1, n, n)
                for (int i = 0; i < layers.size(); i++) {
                    Tensor in = toTensor(g.get("enc" + i + "_fusion_l"));
                    GoldenTensors.Entry expected = g.get("enc" + i + "_text");
                    Tensor out = layers.get(i).forward(in, blocked, pos);
                    assertThat(shape(out)).containsExactly(expected.shape());
                    double err = maxAbsDiff(floats(out), expected.asFloats());
                    System.out.printf("%s: enc%d_text max |err| %.3g%n", c.getFileName(), i, err);
                    assertThat(err).as("enc%d_text of %s", i, c.getFileName()).isLessThan(ATOL);
                    // the mask and the position embedding both matter (the test can fail)
                    assertThat(maxAbsDiff(floats(layers.get(i).forward(in, null, pos)), expected.asFloats()))
                            .isGreaterThan(1e-3);
                    assertThat(maxAbsDiff(floats(layers.get(i).forward(in, blocked, null)), expected.asFloats()))
                            .isGreaterThan(1e-3);
                }
            }
        }
    }

    /**
     * Two cases of different lengths batched, the shorter padded with tokens that only see themselves: every
     * element gets its OWN mask on all heads, so the real tokens equal the single runs (the reference's
     * head-major mask repeat would mix the elements' masks).
     */
    @Test
    void paddedBatchEqualsSingleRuns() {
        List<Map<String, GoldenTensors.Entry>> gs = new ArrayList<>();
        for (Path c : Golden.gdinoCases()) {
            gs.add(GoldenTensors.read(c.resolve("tensors.safetensors")));
        }
        TransformerEncoderLayer layer = layers.get(0);
        try (InferenceScope s = InferenceScope.open()) {
            long n = 0;
            for (Map<String, GoldenTensors.Entry> g : gs) {
                n = Math.max(n, toTensor(g.get("enc0_fusion_l")).size(1));
            }
            Tensor[] src = new Tensor[gs.size()];
            Tensor[] pos = new Tensor[gs.size()];
            Tensor[] blocked = new Tensor[gs.size()];
            Tensor[] single = new Tensor[gs.size()];
            boolean padded = false;
            for (int i = 0; i < gs.size(); i++) {
                Tensor x = toTensor(gs.get(i).get("enc0_fusion_l"));
                Tensor p = SinePosEmbed.textPositionEmbedding(textInput(gs.get(i).get("position_ids")));
                Tensor m = textInput(gs.get(i).get("text_self_attention_masks"));
                long k = x.size(1);
                padded |= k < n;
                single[i] = layer.forward(x, m.logical_not(), p);
                src[i] = cat(new TensorVector(x, zeros(new long[] {1, n - k, 256})), 1); // (1, n, 256)
                pos[i] = cat(new TensorVector(p, zeros(new long[] {1, n - k, 256})), 1); // (1, n, 256)
                Tensor full = eye(n, new TensorOptions(ScalarType.Bool)).unsqueeze(0); // (1, n, n)
                full.narrow(1, 0, k).narrow(2, 0, k).copy_(m);
                blocked[i] = full.logical_not();
            }
            assertThat(padded).as("the golden cases have different lengths").isTrue();
            Tensor batch = layer.forward(cat(new TensorVector(src), 0), cat(new TensorVector(blocked), 0),
                    cat(new TensorVector(pos), 0)); // (B, n, 256)
            for (int i = 0; i < gs.size(); i++) {
                long k = single[i].size(1);
                double err = maxAbsDiff(floats(batch.select(0, i).narrow(0, 0, k)), floats(single[i].select(0, 0)));
                assertThat(err).as("batch row %d", i).isLessThan(1e-5);
            }
        }
    }

    @Test
    void rejectsBadMasks() {
        TransformerEncoderLayer layer = layers.get(0);
        try (InferenceScope s = InferenceScope.open()) {
            Tensor x = zeros(new long[] {1, 3, 256});
            assertThatThrownBy(() -> layer.forward(x, zeros(new long[] {1, 3, 3}), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bool");
            Tensor wrong = zeros(new long[] {1, 3, 2}, new TensorOptions(ScalarType.Bool));
            assertThatThrownBy(() -> layer.forward(x, wrong, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(batch, tokens, tokens)");
            assertThatThrownBy(() -> layer.forward(zeros(new long[] {1, 3, 64}), null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
        }
    }

    @Test
    void configHalvesTheTransformerDimensions() {
        assertThat(TransformerEncoderLayer.Config.swinTOgc())
                .isEqualTo(new TransformerEncoderLayer.Config(256, 4, 1024));
        assertThat(TransformerEncoderLayer.Config.tiny()).isEqualTo(new TransformerEncoderLayer.Config(256, 2, 64));
        assertThatThrownBy(() -> new TransformerEncoderLayer.Config(256, 3, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple");
    }
}
