package dev.groundingdino.internal.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** transformers' config.json to the typed config: defaults, the golden configs, the writer, rejections. */
class HfConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void absentKeysTakeTransformersDefaultsTheReleasedTinyModel() throws Exception {
        HfConfig.Parsed p = HfConfig.parse(JSON.readTree("{\"model_type\": \"grounding-dino\"}"), "test", "tiny");
        GroundingDinoConfig c = p.config();
        assertThat(p.type()).isEqualTo(HfConfig.ModelType.GROUNDING_DINO);
        assertThat(c.swin()).isEqualTo(SwinConfig.swinT224());
        assertThat(c.bert()).isEqualTo(BertConfig.bertBaseUncased().withPooler(false));
        assertThat(c.transformer()).isEqualTo(TransformerConfig.groundingDino().withHeads(
                TransformerConfig.BoxLogit.LOGIT_EPS_1E5, false));
        assertThat(c.specialTokenMasks()).isEqualTo(GroundingDinoConfig.SpecialTokenMasks.PER_ROW);
        assertThat(c.peTemperatureH()).isEqualTo(20);
        assertThat(c.decPredBboxEmbedShare()).isTrue();
        assertThat(c.name()).isEqualTo("GroundingDINO (Hugging Face, tiny)");

        GroundingDinoConfig mm = HfConfig.parse(JSON.readTree("{\"model_type\": \"mm-grounding-dino\"}"), "t", "")
                .config();
        assertThat(mm.transformer().contrastiveBias()).isTrue();
        assertThat(mm.name()).isEqualTo("MM-GroundingDINO (Hugging Face)");
    }

    @Test
    void goldenConfigsAndTheWriterAgree() {
        for (String model : HfGolden.MODELS) {
            HfConfig.Parsed p = HfConfig.read(HfGolden.model(model).resolve("config.json"), model);
            GroundingDinoConfig c = p.config();
            assertThat(c.swin().embedDim()).isEqualTo(16);
            assertThat(c.swin().outIndices()).containsExactly(1, 2, 3); // stage2..stage4
            assertThat(c.swin().numHeads()).containsExactly(1, 2, 4, 8);
            assertThat(c.bert().hiddenSize()).isEqualTo(32);
            assertThat(c.transformer().numQueries()).isEqualTo(30);
            assertThat(c.transformer().nHeads()).isEqualTo(4);
            assertThat(c.transformer().dimFeedforward()).isEqualTo(128);
            JsonNode written = HfConfig.toJson(c, p.type());
            assertThat(HfConfig.parse(written, "written", model)).isEqualTo(p);
        }
    }

    @Test
    void outFeaturesNameStagesOneBased() throws Exception {
        ObjectNode cfg = (ObjectNode) JSON.readTree("{\"model_type\": \"mm-grounding-dino\", \"num_feature_levels\": 5,"
                + " \"backbone_config\": {\"embed_dim\": 192, \"depths\": [2, 2, 18, 2], \"num_heads\": [6, 12, 24, 48],"
                + " \"window_size\": 12, \"image_size\": 384, \"out_features\": [\"stage1\", \"stage2\", \"stage3\","
                + " \"stage4\"]}}");
        GroundingDinoConfig c = HfConfig.parse(cfg, "t", "large").config();
        assertThat(c.swin().outIndices()).containsExactly(0, 1, 2, 3);
        assertThat(c.transformer().numFeatureLevels()).isEqualTo(5);
        assertThat(c.swin().windowSize()).isEqualTo(12);
    }

    @Test
    void settingsThePortDoesNotImplementAreRejectedByName() {
        for (String[] bad : List.of(
                new String[] {"{\"model_type\": \"grounding-dino\", \"d_model\": 512}", "d_model = 512"},
                new String[] {"{\"model_type\": \"grounding-dino\", \"max_text_len\": 128}", "max_text_len = 128"},
                new String[] {"{\"model_type\": \"grounding-dino\", \"encoder_ffn_dim\": 1024}",
                        "encoder_ffn_dim 1024 and decoder_ffn_dim 2048 differ"},
                new String[] {"{\"model_type\": \"grounding-dino\", \"embedding_init_target\": false}",
                        "embedding_init_target = false"},
                new String[] {"{\"model_type\": \"grounding-dino\", \"position_embedding_type\": \"learned\"}",
                        "position_embedding_type = \"learned\""},
                new String[] {"{\"model_type\": \"grounding-dino\", \"text_config\": {\"model_type\": \"roberta\"}}",
                        "text_config.model_type 'roberta'"},
                new String[] {"{\"model_type\": \"grounding-dino\", \"backbone_config\": "
                        + "{\"use_absolute_embeddings\": true}}", "use_absolute_embeddings = true"},
                new String[] {"{\"model_type\": \"grounding-dino\", \"backbone\": \"resnet50\"}", "backbone = resnet50"},
                new String[] {"{\"architectures\": [\"X\"]}", "has no model_type"},
                new String[] {"{\"model_type\": \"detr\"}", "model_type 'detr' is not a GroundingDINO model"})) {
            assertThatThrownBy(() -> HfConfig.parse(JSON.readTree(bad[0]), "config.json", "x"))
                    .as(bad[0]).isInstanceOf(CheckpointException.class).hasMessageContaining(bad[1]);
        }
    }
}
