package dev.groundingdino.internal.groundingdino;

import static dev.groundingdino.internal.deformable.TensorArrays.floats;
import static dev.groundingdino.internal.deformable.TensorArrays.gaussian;
import static dev.groundingdino.internal.deformable.TensorArrays.tensorOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Loading: strictness, derived buffers a checkpoint may lack, shared or per-layer box heads, closing. */
class LoadedGroundingDinoTest {
    private static final Path SUITE = Golden.gdinoSuite();

    @Test
    void derivedBuffersAreComputedWhenAbsentAndUnsharedHeadsGiveTheSameResult() {
        GroundingDinoConfig cfg = GroundingDinoConfigReader.fromGoldenJson(SUITE.resolve("config.json"));
        float[] expectedLogits;
        float[] expectedBoxes;
        try (LoadedGroundingDino full = LoadedGroundingDino.load(SUITE.resolve("gdino.pth"), cfg);
                InferenceScope scope = InferenceScope.open()) {
            GroundingDINO.Output out = forward(full);
            expectedLogits = floats(out.predLogits());
            expectedBoxes = floats(out.predBoxes());
        }
        try (StateDict original = StateDict.read(SUITE.resolve("gdino.pth"))) {
            Map<String, Tensor> kept = new LinkedHashMap<>();
            int dropped = 0;
            for (String name : original.names()) {
                if (name.endsWith("relative_position_index") || name.endsWith("position_ids")) {
                    dropped++;
                } else {
                    kept.put(name, original.get(name));
                }
            }
            assertThat(dropped).isGreaterThan(8);
            // the golden checkpoint's box heads are one shared module, so per-layer heads give the same numbers
            for (GroundingDinoConfig variant : List.of(cfg, cfg.withDecPredBboxEmbedShare(false))) {
                try (LoadedGroundingDino lean = LoadedGroundingDino.of(StateDict.of(kept, Map.of()), variant);
                        InferenceScope scope = InferenceScope.open()) {
                    GroundingDINO.Output out = forward(lean);
                    assertThat(floats(out.predLogits())).containsExactly(expectedLogits);
                    assertThat(floats(out.predBoxes())).containsExactly(expectedBoxes);
                }
            }
        }
    }

    @Test
    void aCheckpointOfAnotherVariantIsRejectedWithTheVariantName() {
        assertThatThrownBy(() -> LoadedGroundingDino.load(SUITE.resolve("gdino.pth"), GroundingDinoConfig.swinTOgc()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("GroundingDINO SwinT-OGC")
                .hasMessageContaining("missing");
        // without a config, the tiny model cannot be inferred (its BERT width hides the head count)
        assertThatThrownBy(() -> LoadedGroundingDino.load(SUITE.resolve("gdino.pth"), null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("config");
    }

    @Test
    void closeIsIdempotentAndStopsUse() {
        LoadedGroundingDino m = LoadedGroundingDino.load(SUITE.resolve("gdino.pth"),
                GroundingDinoConfigReader.fromGoldenJson(SUITE.resolve("config.json")));
        m.close();
        m.close();
        assertThatThrownBy(m::model).isInstanceOf(IllegalStateException.class);
    }

    private static GroundingDINO.Output forward(LoadedGroundingDino m) {
        Tensor image = tensorOf(gaussian(new Random(3), 3 * 64 * 80, 1.0), 3, 64, 80);
        return m.model().forward(NestedTensor.fromTensorList(List.of(image)),
                TextBatch.of(List.of(CaptionEncoder.encode("cat . dog"))), null);
    }
}
