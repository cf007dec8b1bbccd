package dev.groundingdino.internal.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Presets, config readers, declared parameter names and variant inference. */
class GroundingDinoConfigTest {
    /** The assignments of groundingdino/config/GroundingDINO_SwinT_OGC.py (the golden manifest's config). */
    static final String SWINT_OGC = """
            batch_size = 1
            modelname = "groundingdino"
            backbone = "swin_T_224_1k"
            position_embedding = "sine"
            pe_temperatureH = 20
            pe_temperatureW = 20
            return_interm_indices = [1, 2, 3]
            backbone_freeze_keywords = None
            enc_layers = 6
            dec_layers = 6
            pre_norm = False
            dim_feedforward = 2048
            hidden_dim = 256
            dropout = 0.0
            nheads = 8
            num_queries = 900
            query_dim = 4
            num_patterns = 0
            num_feature_levels = 4
            enc_n_points = 4
            dec_n_points = 4
            two_stage_type = "standard"
            two_stage_bbox_embed_share = False
            two_stage_class_embed_share = False
            transformer_activation = "relu"
            dec_pred_bbox_embed_share = True
            dn_box_noise_scale = 1.0
            dn_label_noise_ratio = 0.5
            dn_label_coef = 1.0
            dn_bbox_coef = 1.0
            embed_init_tgt = True
            dn_labelbook_size = 2000
            max_text_len = 256
            text_encoder_type = "bert-base-uncased"
            use_text_enhancer = True
            use_fusion_layer = True
            use_checkpoint = True
            use_transformer_ckpt = True
            use_text_cross_attention = True
            text_dropout = 0.0
            fusion_dropout = 0.0
            fusion_droppath = 0.1
            sub_sentence_present = True
            """;

    /** The SwinB config in the style of later upstream revisions: training keys, comments, a string block. */
    static final String SWINB = """
            data_aug_scales = [480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800]
            data_aug_max_size = 1333
            data_aug_scale_overlap = None
            batch_size = 8
            modelname = 'groundingdino'
            backbone = 'swin_B_384_22k'
            position_embedding = 'sine'
            pe_temperatureH = 20
            pe_temperatureW = 20
            return_interm_indices = [1, 2, 3]
            enc_layers = 6
            dec_layers = 6
            pre_norm = False
            dim_feedforward = 2048
            hidden_dim = 256
            dropout = 0.0
            nheads = 8
            num_queries = 900
            query_dim = 4
            num_patterns = 0
            num_feature_levels = 4
            enc_n_points = 4
            dec_n_points = 4
            two_stage_type = 'standard'
            transformer_activation = 'relu'
            dec_pred_bbox_embed_share = True
            embed_init_tgt = True
            max_text_len = 256
            text_encoder_type = "google-bert/bert-base-uncased"
            use_text_enhancer = True
            use_fusion_layer = True
            use_text_cross_attention = True
            sub_sentence_present = True
            max_labels = 50                               # pos + neg
            lr = 0.0001                                   # base learning rate
            freeze_keywords = ['bert']                    # for whole model
            lr_linear_proj_names = ['ref_point_head', 'sampling_offsets']
            weight_decay = 1e-04
            param_dict_type = 'ddetr_in_mmdet'
            decoder_module_seq = ['sa', 'ca', 'ffn']
            matcher = dict(type='Hungarian', cost=(1.0, 5.0, 2.0),)
            extra = {'a': [1, -2.5e-3], "b": {"c": None}}
            label_list = ["car", \\
                          "pedestrian"]

            # a commented-out variant
            # backbone = "swin_T_224_1k"
            '''
            backbone = "swin_L_384_22k"   # inside a string block: ignored
            '''
            """;

    @Test
    void presetsDeclareExactlyTheManifestNamesAndShapes() {
        assertDeclaredMatchesManifest(GroundingDinoConfig.swinTOgc(), "manifests/groundingdino_swint_ogc.json");
        assertDeclaredMatchesManifest(GroundingDinoConfig.swinB(), "manifests/groundingdino_swinb_cogcoor.json");
    }

    @Test
    void goldenTinyConfigDeclaresExactlyTheCheckpointKeys() {
        Path suite = Golden.gdinoSuite();
        GroundingDinoConfig tiny = GroundingDinoConfigReader.fromGoldenJson(suite.resolve("config.json"));
        assertThat(tiny.swin()).isEqualTo(SwinConfig.custom(16, List.of(2, 2, 2, 2), List.of(1, 2, 4, 8), 7, 224));
        assertThat(tiny.bert()).isEqualTo(BertConfig.tiny());
        assertThat(tiny.transformer()).isEqualTo(TransformerConfig.tiny());
        assertThat(tiny.peTemperatureH()).isEqualTo(20.0);
        assertThat(tiny.subSentencePresent()).isTrue();
        Map<String, long[]> expected = Golden.shapes(Golden.json(suite.resolve("config.json")).get("state_dict"));
        assertSameOrderedShapes(GroundingDINO.declaredParameters(tiny), expected);
    }

    @Test
    void pythonConfigsGiveThePresets() {
        GroundingDinoConfig t = GroundingDinoConfigReader.fromPythonSource(SWINT_OGC, "GroundingDINO_SwinT_OGC.py");
        assertThat(t.withName("x")).isEqualTo(GroundingDinoConfig.swinTOgc().withName("x"));
        assertThat(t.name()).contains("GroundingDINO_SwinT_OGC.py");
        GroundingDinoConfig b = GroundingDinoConfigReader.fromPythonSource(SWINB, "GroundingDINO_SwinB_cfg.py");
        assertThat(b.withName("x")).isEqualTo(GroundingDinoConfig.swinB().withName("x"));
    }

    @Test
    void parserReadsPythonLiterals() {
        Map<String, Object> v = PythonConfigParser.parse(SWINB, "SwinB");
        assertThat(v.get("lr")).isEqualTo(1e-4);
        assertThat(v.get("weight_decay")).isEqualTo(1e-4);
        assertThat(v.get("batch_size")).isEqualTo(8L);
        assertThat(v.get("backbone")).isEqualTo("swin_B_384_22k");
        assertThat(v.get("freeze_keywords")).isEqualTo(List.of("bert"));
        assertThat(v.get("label_list")).isEqualTo(List.of("car", "pedestrian"));
        assertThat(v.containsKey("data_aug_scale_overlap")).isTrue();
        assertThat(v.get("data_aug_scale_overlap")).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> matcher = (Map<String, Object>) v.get("matcher");
        assertThat(matcher.get("type")).isEqualTo("Hungarian");
        assertThat(matcher.get("cost")).isEqualTo(List.of(1.0, 5.0, 2.0));
        @SuppressWarnings("unchecked")
        Map<String, Object> extra = (Map<String, Object>) v.get("extra");
        assertThat(extra.get("a")).isEqualTo(List.of(1L, -2.5e-3));
        assertThat(PythonConfigParser.parse("s = 'a\\'b' \"c\"\nt = '''x\ny'''", "x"))
                .containsEntry("s", "a'bc").containsEntry("t", "x\ny");
    }

    @Test
    void parserRejectsCodeWithTheLine() {
        assertThatThrownBy(() -> PythonConfigParser.parse("a = 1\nimport os\n", "evil.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evil.py, line 2");
        assertThatThrownBy(() -> PythonConfigParser.parse("a = open('x')\n", "evil.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a literal");
        assertThatThrownBy(() -> PythonConfigParser.parse("a = 1 + 2\n", "x.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> PythonConfigParser.parse("a = [1, 2\n", "x.py"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PythonConfigParser.parse("a = 'open\n", "x.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unterminated");
    }

    @Test
    void readerRejectsUnsupportedSettings() {
        assertThatThrownBy(() -> GroundingDinoConfigReader.fromPythonSource(
                SWINT_OGC.replace("two_stage_type = \"standard\"", "two_stage_type = \"no\""), "x.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two_stage_type");
        assertThatThrownBy(() -> GroundingDinoConfigReader.fromPythonSource(
                SWINT_OGC.replace("swin_T_224_1k", "resnet50"), "x.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resnet50");
        assertThatThrownBy(() -> GroundingDinoConfigReader.fromPythonSource(
                SWINT_OGC.replace("hidden_dim = 256", "hidden_dim = 64"), "x.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hidden_dim");
        assertThatThrownBy(() -> GroundingDinoConfigReader.fromPythonSource(
                SWINT_OGC.replace("nheads = 8\n", ""), "x.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nheads");
        assertThatThrownBy(() -> GroundingDinoConfigReader.fromPythonSource(
                SWINT_OGC.replace("\"relu\"", "\"prelu\""), "x.py"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prelu");
    }

    @Test
    void variantInferenceRecognisesTheReleasedModels() {
        for (var e : Map.of("manifests/groundingdino_swint_ogc.json", GroundingDinoConfig.swinTOgc(),
                "manifests/groundingdino_swinb_cogcoor.json", GroundingDinoConfig.swinB()).entrySet()) {
            Map<String, long[]> shapes = Golden.shapes(Golden.json(Golden.file(e.getKey())).get("state_dict"));
            assertThat(VariantInference.infer(shapes)).isEqualTo(e.getValue());
            Map<String, long[]> prefixed = new LinkedHashMap<>();
            shapes.forEach((k, v) -> prefixed.put("module." + k, v));
            assertThat(VariantInference.infer(prefixed)).isEqualTo(e.getValue());
        }
    }

    @Test
    void variantInferenceOfTheTinyModelNeedsItsConfig() {
        Map<String, long[]> shapes = Golden.shapes(Golden.json(Golden.gdinoSuite().resolve("config.json")).get("state_dict"));
        // BERT width 32 does not reveal its head count
        assertThatThrownBy(() -> VariantInference.infer(shapes)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config file");
        Map<String, long[]> notDino = new LinkedHashMap<>();
        notDino.put("image_encoder.patch_embed.proj.weight", new long[] {768, 3, 16, 16});
        assertThatThrownBy(() -> VariantInference.infer(notDino)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("GroundingDINO checkpoint");
    }

    private static void assertDeclaredMatchesManifest(GroundingDinoConfig cfg, String manifest) {
        Map<String, long[]> expected = Golden.shapes(Golden.json(Golden.file(manifest)).get("state_dict"));
        assertSameOrderedShapes(GroundingDINO.declaredParameters(cfg), expected);
    }

    private static void assertSameOrderedShapes(Map<String, long[]> declared, Map<String, long[]> expected) {
        assertThat(new ArrayList<>(declared.keySet())).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertThat(declared.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
        }
    }

}
