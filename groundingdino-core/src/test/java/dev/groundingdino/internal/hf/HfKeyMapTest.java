package dev.groundingdino.internal.hf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;
import dev.groundingdino.testing.Golden;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The name map against the golden Hub models' manifests (every key transformers 5.17 lists, tied aliases and 5.x
 * in-memory Swin names included), their stored files, and the real-size layouts (GroundingDINO Swin-T / Swin-B,
 * MM-GroundingDINO Swin-L with five levels).
 */
class HfKeyMapTest {

    @Test
    void everyManifestAndFileKeyOfBothGoldenModelsMapsOntoExactlyTheDeclaredTree() {
        for (String model : HfGolden.MODELS) {
            GroundingDinoConfig cfg = HfConfig.read(HfGolden.model(model).resolve("config.json"), model).config();
            Map<String, long[]> declared = GroundingDINO.declaredParameters(cfg);
            JsonNode manifest = Golden.json(HfGolden.model(model).resolve("golden.json")).get("state_dict");
            Map<String, long[]> fromManifest = referenceShapes(Golden.shapes(manifest));
            assertThat(new TreeSet<>(fromManifest.keySet())).as(model + " manifest")
                    .isEqualTo(new TreeSet<>(learnable(declared).keySet()));
            fromManifest.forEach((k, s) -> assertThat(s).as(k).isEqualTo(declared.get(k)));

            Map<String, long[]> fileKeys = new LinkedHashMap<>();
            try (var sd = dev.groundingdino.internal.weights.StateDict.read(
                    HfGolden.model(model).resolve("model.safetensors"))) {
                for (String n : sd.names()) {
                    fileKeys.put(n, sd.shape(n));
                }
            }
            Map<String, long[]> fromFile = referenceShapes(fileKeys);
            // the file omits the tied heads 1..L-1 (save_pretrained stores a tied tensor once): all else is there
            Set<String> expected = new TreeSet<>(learnable(declared).keySet());
            expected.removeIf(k -> k.matches("(bbox_embed|class_embed)\\.[1-9]\\d*\\..*"));
            assertThat(new TreeSet<>(fromFile.keySet())).as(model + " file").isEqualTo(expected);
        }
    }

    @Test
    void realLayoutsHaveOneCanonicalHubNameEachThatMapsBack() {
        SwinConfig swinL = new SwinConfig(192, List.of(2, 2, 18, 2), List.of(6, 12, 24, 48), 12, 384,
                List.of(0, 1, 2, 3), 4.0, true, 4, 3, true);
        TransformerConfig five = new TransformerConfig(256, 8, 900, 6, 6, 2048, 5, 4, 4,
                TransformerConfig.Activation.RELU, true, true, true, true, TransformerConfig.BoxLogit.LOGIT_EPS_1E5,
                true);
        GroundingDinoConfig mmLarge = new GroundingDinoConfig("MM-GroundingDINO Swin-L", swinL,
                BertConfig.bertBaseUncased().withPooler(false), five, 20, 20, true, false);
        for (GroundingDinoConfig cfg : List.of(GroundingDinoConfig.swinTOgc(), GroundingDinoConfig.swinB(), mmLarge)) {
            Set<String> hubNames = new HashSet<>();
            int count = 0;
            for (Map.Entry<String, long[]> e : learnable(GroundingDINO.declaredParameters(cfg)).entrySet()) {
                String ref = e.getKey();
                if (ref.startsWith("bert.pooler.")) {
                    assertThat(HfKeyMap.toHub(ref)).as(ref).hasSize(1); // named, though the Hub models have none
                    continue;
                }
                List<HfKeyMap.HubName> hub = HfKeyMap.toHub(ref);
                boolean fused = ref.endsWith("attn.qkv.weight") || ref.endsWith("attn.qkv.bias")
                        || ref.contains("in_proj_");
                assertThat(hub).as(ref).hasSize(fused ? 3 : 1);
                for (HfKeyMap.HubName h : hub) {
                    assertThat(hubNames.add(h.key())).as("duplicate Hub name " + h.key()).isTrue();
                    Optional<HfKeyMap.ReferenceName> back = HfKeyMap.toReference(h.key());
                    assertThat(back).as(h.key()).contains(new HfKeyMap.ReferenceName(ref, h.part()));
                    count++;
                }
            }
            assertThat(count).isGreaterThan(900);
        }
        // spot checks against convert_grounding_dino_to_hf.py / convert_mm_grounding_dino_to_hf.py
        assertHub("backbone.0.layers.2.blocks.5.attn.qkv.weight",
                "model.backbone.conv_encoder.model.encoder.layers.2.blocks.5.attention.self.query.weight",
                "model.backbone.conv_encoder.model.encoder.layers.2.blocks.5.attention.self.key.weight",
                "model.backbone.conv_encoder.model.encoder.layers.2.blocks.5.attention.self.value.weight");
        assertHub("backbone.0.norm3.bias", "model.backbone.conv_encoder.model.hidden_states_norms.stage4.bias");
        assertHub("backbone.0.norm0.weight", "model.backbone.conv_encoder.model.hidden_states_norms.stage1.weight");
        assertHub("backbone.0.layers.1.blocks.0.mlp.fc2.weight",
                "model.backbone.conv_encoder.model.encoder.layers.1.blocks.0.output.dense.weight");
        assertHub("transformer.encoder.fusion_layers.3.gamma_l", "model.encoder.layers.3.fusion_layer.text_param");
        assertHub("transformer.decoder.layers.5.catext_norm.bias",
                "model.decoder.layers.5.encoder_attn_text_layer_norm.bias");
        assertHub("transformer.decoder.layers.0.norm2.weight", "model.decoder.layers.0.self_attn_layer_norm.weight");
        assertHub("transformer.tgt_embed.weight", "model.query_position_embeddings.weight");
        assertHub("transformer.enc_out_bbox_embed.layers.2.bias", "model.encoder_output_bbox_embed.layers.2.bias");
        assertHub("feat_map.weight", "model.text_projection.weight");
        assertHub("input_proj.3.1.bias", "model.input_proj_vision.3.1.bias");
        assertHub("bert.encoder.layer.11.output.LayerNorm.weight",
                "model.text_backbone.encoder.layer.11.output.LayerNorm.weight");
    }

    @Test
    void alternateSpellingsMapToTheSameReferenceTensors() {
        String prefix = "model.backbone.conv_encoder.model.swin.encoder.layers.0.blocks.1.attention.";
        assertThat(HfKeyMap.toReference(prefix + "k_proj.bias")).contains(
                new HfKeyMap.ReferenceName("backbone.0.layers.0.blocks.1.attn.qkv.bias", HfKeyMap.Part.K));
        assertThat(HfKeyMap.toReference(prefix + "relative_position_bias.relative_position_bias_table")).contains(
                new HfKeyMap.ReferenceName("backbone.0.layers.0.blocks.1.attn.relative_position_bias_table",
                        HfKeyMap.Part.WHOLE));
        assertThat(HfKeyMap.toReference("model.encoder.layers.1.text_enhancer_layer.self_attn.in_proj_weight"))
                .contains(new HfKeyMap.ReferenceName("transformer.encoder.text_layers.1.self_attn.in_proj_weight",
                        HfKeyMap.Part.WHOLE));
        assertThat(HfKeyMap.toReference("model.decoder.bbox_embed.4.layers.1.weight")).contains(
                new HfKeyMap.ReferenceName("transformer.decoder.bbox_embed.4.layers.1.weight", HfKeyMap.Part.WHOLE));
        assertThat(HfKeyMap.isUnused("model.backbone.conv_encoder.model.swin.layernorm.weight")).isTrue();
        assertThat(HfKeyMap.toReference("model.backbone.conv_encoder.model.hidden_states_norms.stage0.weight"))
                .isEmpty();
        assertThat(HfKeyMap.toReference("model.something_else.weight")).isEmpty();
    }

    private static void assertHub(String ref, String... hub) {
        List<String> names = new ArrayList<>();
        HfKeyMap.toHub(ref).forEach(h -> names.add(h.key()));
        assertThat(names).as(ref).containsExactly(hub);
    }

    /** The declared tensors a checkpoint stores: without derived buffers and the decoder's head aliases. */
    private static Map<String, long[]> learnable(Map<String, long[]> declared) {
        Map<String, long[]> out = new LinkedHashMap<>(declared);
        out.keySet().removeIf(k -> k.endsWith("relative_position_index") || k.endsWith("embeddings.position_ids")
                || k.startsWith("transformer.decoder.bbox_embed."));
        return out;
    }

    /**
     * Hub names to reference names and shapes: q/k/v thirds joined (their first dimension tripled), the decoder's
     * head aliases folded onto the heads, unused tensors dropped; fails on an unknown name.
     */
    private static Map<String, long[]> referenceShapes(Map<String, long[]> hub) {
        Map<String, long[]> out = new LinkedHashMap<>();
        Map<String, Integer> thirds = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : hub.entrySet()) {
            if (HfKeyMap.isUnused(e.getKey())) {
                continue;
            }
            HfKeyMap.ReferenceName r = HfKeyMap.toReference(e.getKey()).orElseThrow(
                    () -> new AssertionError("no rule for " + e.getKey()));
            String key = r.key().startsWith("transformer.decoder.bbox_embed.")
                    || r.key().startsWith("transformer.decoder.class_embed.")
                    ? r.key().substring("transformer.decoder.".length()) : r.key();
            long[] shape = e.getValue().clone();
            if (r.part() != HfKeyMap.Part.WHOLE) {
                thirds.merge(key, 1 << r.part().third(), Integer::sum);
                shape[0] *= 3;
            }
            long[] previous = out.put(key, shape);
            if (previous != null) {
                assertThat(shape).as(key).isEqualTo(previous);
            }
        }
        thirds.forEach((k, bits) -> assertThat(bits).as(k + " q/k/v parts").isEqualTo(7));
        return out;
    }
}
