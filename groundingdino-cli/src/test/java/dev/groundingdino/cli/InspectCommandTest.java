package dev.groundingdino.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    @Test
    void jsonListsExactlyTheGoldenGroundingDinoTensorsInOrder() throws Exception {
        assertJsonMatchesConfig(Golden.gdinoSuite().resolve("gdino.pth"), Golden.gdinoSuite().resolve("config.json"),
                "groundingdino (custom: swin embed_dim 16, bert hidden 32)");
    }

    @Test
    void jsonListsExactlyTheGoldenSamTensorsForBothFormats() throws Exception {
        Path suite = Golden.samSuite();
        assertJsonMatchesConfig(suite.resolve("sam.pth"), suite.resolve("config.json"), "sam (custom: vit embed_dim 64)");
        CliRun run = CliRun.of("inspect", "--json", suite.resolve("sam.safetensors").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(new ObjectMapper().readTree(run.out()).get("format").asText()).isEqualTo("safetensors");
    }

    @Test
    void sam21AndHuggingFaceCheckpointsAreNamed() throws Exception {
        Path sam2 = Golden.dir().resolve("sam2/sam2.1-tiny_seed0/sam2.1_tiny.pt");
        assertJsonMatchesConfig(sam2, sam2.resolveSibling("config.json"), "sam2.1 (custom: hiera embed_dim 16, 7 blocks)");
        CliRun hub = CliRun.of("inspect", "--json",
                Golden.dir().resolve("hf/grounding-dino-tiny_seed0/model.safetensors").toString());
        assertThat(hub.exitCode()).as(hub.err()).isZero();
        assertThat(new ObjectMapper().readTree(hub.out()).get("variant").asText())
                .isEqualTo("grounding-dino (Hugging Face layout, swin embed_dim 16; GroundingDINO, MM-GroundingDINO or "
                        + "LLMDet)");
    }

    private static void assertJsonMatchesConfig(Path checkpoint, Path config, String variant) throws Exception {
        CliRun run = CliRun.of("inspect", "--json", checkpoint.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode out = new ObjectMapper().readTree(run.out());
        assertThat(out.get("variant").asText()).isEqualTo(variant);
        JsonNode expected = Golden.json(config).get("state_dict");
        List<String> expectedNames = new ArrayList<>();
        expected.fieldNames().forEachRemaining(expectedNames::add);
        JsonNode tensors = out.get("tensors");
        assertThat(tensors).hasSize(expectedNames.size());
        Iterator<Map.Entry<String, JsonNode>> it = expected.fields();
        for (JsonNode t : tensors) {
            Map.Entry<String, JsonNode> e = it.next();
            assertThat(t.get("name").asText()).isEqualTo(e.getKey());
            assertThat(t.get("shape")).as(e.getKey()).isEqualTo(e.getValue().get("shape"));
            assertThat(t.get("dtype").asText()).as(e.getKey()).isEqualTo(e.getValue().get("dtype").asText());
        }
    }

    @Test
    void textOutputSummarisesTheCheckpoint() {
        CliRun run = CliRun.of("inspect", Golden.gdinoSuite().resolve("gdino.pth").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("bert.embeddings.position_ids").contains("[1, 512]").contains("int64")
                .contains("variant:    groundingdino (custom").contains("state dict under \"model\"");
    }

    @Test
    void missingFileIsAUserErrorWithoutStackTrace(@TempDir Path tmp) {
        CliRun run = CliRun.of("inspect", tmp.resolve("nope.pth").toString());
        assertThat(run.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(run.err()).contains("nope.pth").doesNotContain("\tat ");
    }

    @Test
    void notACheckpointIsAUserError(@TempDir Path tmp) throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.pth"), "this is not a checkpoint at all, just text");
        CliRun run = CliRun.of("inspect", junk.toString());
        assertThat(run.exitCode()).isEqualTo(Gdino.EXIT_INPUT_ERROR);
        assertThat(run.err()).startsWith("gdino inspect: ").doesNotContain("\tat ");
    }
}
