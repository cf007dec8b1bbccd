package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.HieraConfig;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Declare-mode SAM 2.1 trees against the manifests of the four official checkpoints and the golden tiny model
 * (every key, shape and the state_dict order, memory weights included), and variant recognition from the shapes.
 */
class Sam2ConfigManifestTest {

    static void assertSameTree(Map<String, long[]> declared, Map<String, long[]> expected) {
        List<String> missing = new ArrayList<>(expected.keySet());
        missing.removeAll(declared.keySet());
        List<String> unexpected = new ArrayList<>(declared.keySet());
        unexpected.removeAll(expected.keySet());
        assertThat(missing).as("tensors in the manifest but not declared").isEmpty();
        assertThat(unexpected).as("declared tensors not in the manifest").isEmpty();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertThat(declared.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
        }
        assertThat(new ArrayList<>(declared.keySet())).as("state_dict order").containsExactlyElementsOf(
                expected.keySet());
    }

    private static Sam2Config preset(String variant) {
        return switch (variant) {
            case "t" -> Sam2Config.hieraT();
            case "s" -> Sam2Config.hieraS();
            case "b+" -> Sam2Config.hieraBPlus();
            default -> Sam2Config.hieraL();
        };
    }

    @ParameterizedTest
    @CsvSource({"t", "s", "b+", "l"})
    void presetDeclaresExactlyTheOfficialCheckpoint(String variant) {
        JsonNode m = Sam2Golden.manifest(variant);
        Sam2Config cfg = preset(variant);
        assertThat(m.get("config").asText()).isEqualTo(cfg.name());
        Map<String, long[]> expected = Golden.shapes(m.get("state_dict"));
        Map<String, long[]> declared = SAM2Base.expectedTensors(cfg);
        assertSameTree(declared, expected);
        long params = 0;
        for (Map.Entry<String, long[]> e : declared.entrySet()) {
            if (e.getKey().endsWith("positional_encoding_gaussian_matrix")) {
                continue; // the state dict's only buffer; "params" counts nn.Parameters
            }
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            params += n;
        }
        assertThat(params).as("parameter count").isEqualTo(m.get("params").asLong());
        long video = declared.keySet().stream().filter(SAM2Base::isVideoOnly).count();
        System.out.printf("SAM2 %s: %d tensors (%d video-only), %d parameters, declared tree == manifest%n",
                cfg.name(), declared.size(), video, params);
        assertThat(video).as("memory/video tensors are declared").isPositive();

        assertThat(Sam2Config.infer(expected)).isEqualTo(cfg);
    }

    @Test
    void tinyConfigDeclaresTheGoldenCheckpointAndMatchesItsYaml() {
        JsonNode config = Sam2Golden.config();
        assertSameTree(SAM2Base.expectedTensors(Sam2Config.tiny()), Golden.shapes(config.get("state_dict")));
        JsonNode model = config.get("model");
        JsonNode trunk = model.get("image_encoder").get("trunk");
        HieraConfig t = Sam2Config.tiny().trunk();
        assertThat(t.embedDim()).isEqualTo(trunk.get("embed_dim").asInt());
        assertThat(t.numHeads()).isEqualTo(trunk.get("num_heads").asInt());
        assertThat(t.stages()).isEqualTo(ints(trunk.get("stages")));
        assertThat(t.globalAttBlocks()).isEqualTo(ints(trunk.get("global_att_blocks")));
        assertThat(List.of(t.windowPosEmbedBkgH(), t.windowPosEmbedBkgW()))
                .isEqualTo(ints(trunk.get("window_pos_embed_bkg_spatial_size")));
        JsonNode neck = model.get("image_encoder").get("neck");
        assertThat(Sam2Config.tiny().backboneChannelList()).isEqualTo(ints(neck.get("backbone_channel_list")));
        assertThat(Sam2Config.tiny().fpnTopDownLevels()).isEqualTo(ints(neck.get("fpn_top_down_levels")));
        assertThat(Sam2Config.tiny().scalp()).isEqualTo(model.get("image_encoder").get("scalp").asInt());
        assertThat(Sam2Config.tiny().memoryAttentionLayers()).isEqualTo(model.get("memory_attention")
                .get("num_layers").asInt());
        assertThat(model.has("sam_mask_decoder_extra_args")).as("the golden model has no dynamic multimask").isFalse();
        assertThat(Sam2Config.tiny().dynamicMultimaskViaStability()).isFalse();
    }

    @Test
    void officialBlockLayoutFollowsHiera() {
        // sam2.1_hiera_t: stage ends [0, 2, 9, 11], q-pool blocks [1, 3, 10], windows lag a block behind the stage
        List<HieraConfig.BlockSpec> blocks = Sam2Config.hieraT().trunk().blocks();
        assertThat(Sam2Config.hieraT().trunk().stageEnds()).containsExactly(0, 2, 9, 11);
        assertThat(blocks.stream().filter(HieraConfig.BlockSpec::qPool).map(HieraConfig.BlockSpec::index))
                .containsExactly(1, 3, 10);
        assertThat(blocks.stream().map(HieraConfig.BlockSpec::windowSize))
                .containsExactly(8, 8, 4, 4, 14, 0, 14, 0, 14, 0, 14, 7);
        assertThat(blocks.stream().map(HieraConfig.BlockSpec::numHeads))
                .containsExactly(1, 2, 2, 4, 4, 4, 4, 4, 4, 4, 8, 8);
        assertThat(Sam2Config.hieraL().backboneChannelList()).containsExactly(1152, 576, 288, 144);
    }

    @Test
    void unknownSizesAskForAConfig() {
        Map<String, long[]> tiny = Golden.shapes(Sam2Golden.config().get("state_dict"));
        assertThatThrownBy(() -> Sam2Config.infer(tiny))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("embed_dim 16")
                .hasMessageContaining("stages [1, 2, 3, 1]")
                .hasMessageContaining("give its config");
    }

    @Test
    void otherModelsAreNamed() {
        Map<String, long[]> sam1 = Golden.shapes(Golden.json(Golden.file("manifests/sam_vit_b.json"))
                .get("state_dict"));
        assertThatThrownBy(() -> Sam2Config.infer(sam1)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("SAM 1");
        Map<String, long[]> gdino = Golden.shapes(Golden.json(Golden.file("manifests/groundingdino_swint_ogc.json"))
                .get("state_dict"));
        assertThatThrownBy(() -> Sam2Config.infer(gdino)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a SAM 2.1 checkpoint");
        Map<String, long[]> shapes = new LinkedHashMap<>(Golden.shapes(Sam2Golden.manifest("t").get("state_dict")));
        shapes.remove("image_encoder.trunk.blocks.11.norm1.weight"); // one block fewer: no official size
        assertThatThrownBy(() -> Sam2Config.infer(shapes)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("none of the official sizes");
    }

    @Test
    void invalidConfigsAreRejected() {
        assertThatThrownBy(() -> new HieraConfig(96, 1, List.of(1, 2, 7, 2), List.of(1), 7, 7, List.of(8, 4, 14, 7),
                3, 2, 2, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pools its queries");
        assertThatThrownBy(() -> new HieraConfig(96, 1, List.of(1, 2, 7, 2), List.of(9, 5), 7, 7,
                List.of(8, 4, 14, 7), 3, 2, 2, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> new HieraConfig(96, 1, List.of(1, 2, 7, 2), List.of(), 7, 7, List.of(8, 4, 14), 3,
                2, 2, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowSpec");
        HieraConfig t = Sam2Config.hieraT().trunk();
        assertThatThrownBy(() -> new Sam2Config("x", t, List.of(2, 3), 0, 4, 2048, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 feature levels");
        assertThatThrownBy(() -> new Sam2Config("x", t, List.of(4), 1, 4, 2048, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fpnTopDownLevels");
    }

    private static List<Integer> ints(JsonNode arr) {
        List<Integer> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Test
    void theGoldenConfigJsonReadsAsTheTinyConfig() {
        Sam2Config read = Sam2Config.fromJson(Sam2Golden.suite().resolve("config.json"));
        Sam2Config tiny = Sam2Config.tiny();
        assertThat(read.trunk()).isEqualTo(tiny.trunk());
        assertThat(read.fpnTopDownLevels()).isEqualTo(tiny.fpnTopDownLevels());
        assertThat(read.scalp()).isEqualTo(tiny.scalp());
        assertThat(read.memoryAttentionLayers()).isEqualTo(tiny.memoryAttentionLayers());
        assertThat(read.memoryAttentionFeedforward()).isEqualTo(tiny.memoryAttentionFeedforward());
        assertThat(read.dynamicMultimaskViaStability()).isFalse();
    }
}
