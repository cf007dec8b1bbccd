package dev.groundingdino.internal.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import dev.groundingdino.internal.weights.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recognition of the layout and the specific messages for unusable Hub checkpoints. */
class HfCheckpointErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void recognisesTheFolderAndTheWeightsFileButNotOtherFiles() throws IOException {
        Path golden = HfGolden.model(HfGolden.GDINO);
        assertThat(HfCheckpoint.recognise(golden)).isPresent();
        assertThat(HfCheckpoint.recognise(golden.resolve("model.safetensors"))).get()
                .extracting(HfCheckpoint.Layout::config).isEqualTo(golden.resolve("config.json"));
        Path lone = Files.copy(golden.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        assertThat(HfCheckpoint.recognise(lone)).isEmpty(); // no config.json beside it
        assertThat(HfCheckpoint.recognise(golden.resolve("config.json"))).isEmpty();
        try (StateDict sd = StateDict.read(lone)) {
            assertThat(HfCheckpoint.hasHubNames(sd.names())).isTrue();
        }
    }

    @Test
    void aFolderWithOnlyOneOfTheTwoFilesIsNamed() throws IOException {
        Path onlyWeights = Files.createDirectories(tmp.resolve("weights-only"));
        Files.copy(HfGolden.model(HfGolden.GDINO).resolve("model.safetensors"), onlyWeights.resolve("model.safetensors"));
        assertThatThrownBy(() -> HfCheckpoint.recognise(onlyWeights)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("has model.safetensors but no config.json");

        Path onlyConfig = Files.createDirectories(tmp.resolve("config-only"));
        Files.copy(HfGolden.model(HfGolden.GDINO).resolve("config.json"), onlyConfig.resolve("config.json"));
        Files.writeString(onlyConfig.resolve("model.safetensors.index.json"), "{}");
        assertThatThrownBy(() -> HfCheckpoint.recognise(onlyConfig)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("has config.json but no model.safetensors")
                .hasMessageContaining("Sharded checkpoints");
    }

    @Test
    void unknownModelTypeIsNamed() throws IOException {
        Path folder = copyWith(HfGolden.GDINO, cfg -> cfg.put("model_type", "owlv2"), null);
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(folder).orElseThrow()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model_type 'owlv2' is not a GroundingDINO model")
                .hasMessageContaining("\"mm-grounding-dino\"");
    }

    @Test
    void unsupportedSettingsAreNamed() throws IOException {
        Path twoStage = copyWith(HfGolden.GDINO, cfg -> cfg.put("two_stage", false), null);
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(twoStage).orElseThrow()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("two_stage = false is not supported");
        Path resnet = copyWith(HfGolden.GDINO, cfg -> ((ObjectNode) cfg.get("backbone_config"))
                .put("model_type", "resnet"), null);
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(resnet).orElseThrow()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("backbone_config.model_type 'resnet' is not supported");
    }

    @Test
    void aConfigOfOtherWeightsIsReportedInTheConfigsOwnWords() throws IOException {
        Path folder = copyWith(HfGolden.GDINO, cfg -> {
            cfg.put("num_queries", 900);
            cfg.put("decoder_layers", 6);
        }, null);
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(folder).orElseThrow()))
                .isInstanceOf(CheckpointException.class)
                .satisfies(e -> System.out.println("config disagreement: " + e.getMessage()))
                .hasMessageContaining("config.json disagrees with model.safetensors")
                .hasMessageContaining("num_queries = 900, but model.query_position_embeddings.weight is [30, 256]")
                .hasMessageContaining("decoder_layers = 6, but the file stores 2");
    }

    @Test
    void modelTypeAndTensorsOfTheOtherFamilyAreNamed() throws IOException {
        Path mmAsGdino = copyWith(HfGolden.MM, cfg -> cfg.put("model_type", "grounding-dino"), null);
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(mmAsGdino).orElseThrow()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("this is an MM-GroundingDINO checkpoint");
        Path gdinoAsMm = copyWith(HfGolden.GDINO, cfg -> cfg.put("model_type", "mm-grounding-dino"), null);
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(gdinoAsMm).orElseThrow()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("this is a GroundingDINO checkpoint");
    }

    @Test
    void missingUnexpectedAndMismatchedTensorsComeInOneReportWithHubNames() throws IOException {
        Path folder = copyWith(HfGolden.GDINO, null, tensors -> {
            tensors.remove("model.encoder.layers.1.text_enhancer_layer.self_attn.key.weight");
            tensors.remove("model.decoder.layers.0.fc1.bias");
            tensors.put("model.extra_head.weight", tensors.get("model.level_embed"));
            tensors.put("model.enc_output.bias", tensors.get("model.level_embed").select(0, 0).narrow(0, 0, 8));
        });
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(folder).orElseThrow()))
                .isInstanceOf(CheckpointException.class)
                .satisfies(e -> System.out.println("one report: " + e.getMessage()))
                .hasMessageContaining("2 missing, 3 unexpected, 1 with another shape")
                .hasMessageContaining("transformer.encoder.text_layers.1.self_attn.in_proj_weight")
                .hasMessageContaining("model.extra_head.weight")
                // the two remaining thirds of the incomplete q/k/v are listed under their Hub names
                .hasMessageContaining("model.encoder.layers.1.text_enhancer_layer.self_attn.query.weight")
                .hasMessageContaining("transformer.enc_output.bias")
                .hasMessageContaining("In the Hugging Face layout the missing tensors are (2)")
                .hasMessageContaining("model.encoder.layers.1.text_enhancer_layer.self_attn.key.weight")
                .hasMessageContaining("model.decoder.layers.0.fc1.bias");
    }

    @Test
    void twoSpellingsOfOneTensorAreRejected() throws IOException {
        Path folder = copyWith(HfGolden.GDINO, null, tensors -> tensors.put(
                "model.backbone.conv_encoder.model.swin.embeddings.norm.weight",
                tensors.get("model.backbone.conv_encoder.model.embeddings.norm.weight")));
        assertThatThrownBy(() -> HfCheckpoint.open(HfCheckpoint.recognise(folder).orElseThrow()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("under two spellings");
    }

    @Test
    void distinctStoredHeadsAreKeptAndTiedOnesRestored() throws IOException {
        // a file that stores box head 1 under the decoder's spelling with other values (as released LLMDet files
        // do): the model gets per-layer heads; class head 1 is absent, so it is class head 0
        Path folder = copyWith(HfGolden.MM, null, tensors -> {
            for (String leaf : new String[] {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                    "layers.2.weight", "layers.2.bias"}) {
                tensors.put("model.decoder.bbox_embed.1." + leaf, tensors.get("bbox_embed.0." + leaf).mul(
                        new org.bytedeco.pytorch.Scalar(0.5)));
            }
        });
        HfCheckpoint.Converted c = HfCheckpoint.open(HfCheckpoint.recognise(folder).orElseThrow());
        try (StateDict sd = c.stateDict(); PointerScope scope = new PointerScope()) {
            assertThat(c.config().decPredBboxEmbedShare()).isFalse();
            assertThat(sd.get("bbox_embed.1.layers.2.bias").equal(
                    sd.get("bbox_embed.0.layers.2.bias").mul(new org.bytedeco.pytorch.Scalar(0.5)))).isTrue();
            assertThat(sd.get("class_embed.1.bias").equal(sd.get("class_embed.0.bias"))).isTrue();
        }
        HfCheckpoint.Converted golden = HfCheckpoint.open(HfCheckpoint.recognise(HfGolden.model(HfGolden.MM))
                .orElseThrow());
        try (StateDict sd = golden.stateDict()) {
            assertThat(golden.config().decPredBboxEmbedShare()).isTrue();
            assertThat(sd.contains("bbox_embed.1.layers.0.weight")).isTrue();
        }
        try (var model = HfCheckpoint.load(folder, ScalarType.Float)) {
            assertThat(model.model().bboxEmbed()[1]).isNotSameAs(model.model().bboxEmbed()[0]);
        }
    }

    /** A copy of a golden Hub model with its config and/or tensors edited. */
    private Path copyWith(String model, Consumer<ObjectNode> editConfig, Consumer<Map<String, Tensor>> editTensors)
            throws IOException {
        Path src = HfGolden.model(model);
        Path dst = Files.createDirectories(tmp.resolve(model + "-" + System.nanoTime()));
        ObjectNode cfg = (ObjectNode) JSON.readTree(src.resolve("config.json").toFile());
        if (editConfig != null) {
            editConfig.accept(cfg);
        }
        JSON.writeValue(dst.resolve("config.json").toFile(), cfg);
        if (editTensors == null) {
            Files.copy(src.resolve("model.safetensors"), dst.resolve("model.safetensors"));
        } else {
            try (StateDict sd = StateDict.read(src.resolve("model.safetensors"));
                    PointerScope scope = new PointerScope()) {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                sd.names().forEach(n -> tensors.put(n, sd.get(n)));
                editTensors.accept(tensors);
                SafetensorsWriter.write(dst.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            }
        }
        return dst;
    }
}
