package dev.groundingdino.sam.internal;

import dev.groundingdino.sam.internal.config.SamConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Declare-mode model trees against the golden manifests, and variant inference from checkpoint shapes. */
class SamConfigManifestTest {

    private static void assertSameTree(Map<String, long[]> declared, Map<String, long[]> expected) {
        List<String> missing = new ArrayList<>(expected.keySet());
        missing.removeAll(declared.keySet());
        List<String> unexpected = new ArrayList<>(declared.keySet());
        unexpected.removeAll(expected.keySet());
        assertThat(missing).as("tensors in the manifest but not declared").isEmpty();
        assertThat(unexpected).as("declared tensors not in the manifest").isEmpty();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertThat(declared.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
        }
        // Same order as the reference state_dict.
        assertThat(new ArrayList<>(declared.keySet())).containsExactlyElementsOf(expected.keySet());
    }

    @ParameterizedTest
    @CsvSource({"b", "l", "h"})
    void presetDeclaresExactlyTheManifest(String variant) {
        JsonNode m = Golden.json(Golden.file("manifests/sam_vit_" + variant + ".json"));
        SamConfig cfg = switch (variant) {
            case "b" -> SamConfig.vitB();
            case "l" -> SamConfig.vitL();
            default -> SamConfig.vitH();
        };
        Map<String, long[]> expected = Golden.shapes(m.get("state_dict"));
        assertThat(expected).hasSize(m.get("num_state_dict_entries").asInt());
        assertSameTree(Sam.expectedTensors(cfg), expected);

        JsonNode args = m.get("builder_args");
        assertThat(cfg.encoderEmbedDim()).isEqualTo(args.get("encoder_embed_dim").asInt());
        assertThat(cfg.encoderDepth()).isEqualTo(args.get("encoder_depth").asInt());
        assertThat(cfg.encoderNumHeads()).isEqualTo(args.get("encoder_num_heads").asInt());
        List<Integer> global = new ArrayList<>();
        args.get("encoder_global_attn_indexes").forEach(n -> global.add(n.asInt()));
        assertThat(cfg.encoderGlobalAttnIndexes()).isEqualTo(global);

        assertThat(SamConfig.infer(expected)).isEqualTo(cfg);
    }

    @Test
    void tinyConfigDeclaresTheGoldenCheckpoint() {
        JsonNode config = Golden.json(Golden.samSuite().resolve("config.json"));
        Map<String, long[]> expected = Golden.shapes(config.get("state_dict"));
        assertSameTree(Sam.expectedTensors(SamConfig.tiny()), expected);
        assertThat(SamConfig.infer(expected)).isEqualTo(SamConfig.tiny());
        JsonNode args = config.get("builder_args");
        assertThat(SamConfig.tiny().encoderEmbedDim()).isEqualTo(args.get("encoder_embed_dim").asInt());
        assertThat(SamConfig.tiny().encoderDepth()).isEqualTo(args.get("encoder_depth").asInt());
        assertThat(SamConfig.tiny().encoderNumHeads()).isEqualTo(args.get("encoder_num_heads").asInt());
    }

    @Test
    void customShapesGiveACustomConfig() {
        Map<String, long[]> shapes = Sam.expectedTensors(SamConfig.standard("x", 96, 3, 4, List.of(0, 2)));
        SamConfig inferred = SamConfig.infer(shapes);
        assertThat(inferred.name()).isEqualTo("custom");
        assertThat(inferred.encoderEmbedDim()).isEqualTo(96);
        assertThat(inferred.encoderDepth()).isEqualTo(3);
        assertThat(inferred.encoderNumHeads()).isEqualTo(4);
        assertThat(inferred.encoderGlobalAttnIndexes()).containsExactly(0, 2);
    }

    @Test
    void groundingDinoShapesAreRejected() {
        JsonNode m = Golden.json(Golden.file("manifests/groundingdino_swint_ogc.json"));
        Map<String, long[]> shapes = Golden.shapes(m.get("state_dict"));
        assertThatThrownBy(() -> SamConfig.infer(shapes))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a Segment Anything checkpoint");
    }

    @Test
    void invalidConfigsAreRejected() {
        assertThatThrownBy(() -> SamConfig.standard("bad", 100, 2, 3, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoderNumHeads");
        assertThatThrownBy(() -> SamConfig.standard("bad", 64, 2, 2, List.of(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoderGlobalAttnIndexes");
        assertThatThrownBy(() -> SamConfig.standard("bad", 64, 2, 2, List.of(1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ascending");
    }
}
