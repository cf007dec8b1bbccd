package dev.groundingdino.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.fusion.BiAttentionBlock;
import dev.groundingdino.internal.fusion.BiAttentionConfig;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.transformer.TransformerEncoderLayer;
import dev.groundingdino.testing.Golden;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Declare mode: the names and shapes the text-side classes expect ({@code bert.*}, {@code feat_map.*},
 * {@code transformer.encoder.fusion_layers.*}, {@code transformer.encoder.text_layers.*}) are exactly those of the
 * real checkpoint manifest (SwinT-OGC: BERT-base, d_model 256, 8 heads, FFN 2048, 6 encoder layers) and of the
 * golden tiny checkpoint.
 */
class TextSideManifestTest {
    private static final String[] PREFIXES = {"bert.", "feat_map.", "transformer.encoder.fusion_layers.",
            "transformer.encoder.text_layers."};

    private static Map<String, String> declare(BertConfig bert, BiAttentionConfig fusion,
            TransformerEncoderLayer.Config text, int encLayers) {
        ParamTree root = ParamTree.declare();
        new TextEncoder(bert, 256, root);
        ParamTree encoder = root.child("transformer").child("encoder");
        for (int i = 0; i < encLayers; i++) {
            new BiAttentionBlock(fusion, encoder.child("fusion_layers").child(i));
            new TransformerEncoderLayer(text, encoder.child("text_layers").child(i));
        }
        Map<String, String> out = new TreeMap<>();
        root.declared().forEach((k, v) -> out.put(k, java.util.Arrays.toString(v)));
        return out;
    }

    private static Map<String, String> reference(JsonNode stateDict) {
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stateDict.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            for (String p : PREFIXES) {
                if (e.getKey().startsWith(p)) {
                    JsonNode s = e.getValue().get("shape");
                    long[] shape = new long[s.size()];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = s.get(i).asLong();
                    }
                    out.put(e.getKey(), java.util.Arrays.toString(shape));
                }
            }
        }
        return out;
    }

    @Test
    void realSizeDeclarationEqualsTheSwinTOgcManifest() {
        JsonNode manifest = Golden.json(Golden.file("manifests/groundingdino_swint_ogc.json"));
        Map<String, String> expected = reference(manifest.get("state_dict"));
        Map<String, String> actual = declare(BertConfig.bertBaseUncased(), BiAttentionConfig.swinTOgc(),
                TransformerEncoderLayer.Config.swinTOgc(), 6);
        assertThat(expected).hasSize(6 + 12 * 16 + 2 + 2 + 6 * 18 + 6 * 12);
        assertThat(actual).containsExactlyEntriesOf(expected);
        JsonNode bert = manifest.get("bert_config");
        BertConfig base = BertConfig.bertBaseUncased();
        assertThat(base.hiddenSize()).isEqualTo(bert.get("hidden_size").asInt());
        assertThat(base.numHiddenLayers()).isEqualTo(bert.get("num_hidden_layers").asInt());
        assertThat(base.numAttentionHeads()).isEqualTo(bert.get("num_attention_heads").asInt());
        assertThat(base.intermediateSize()).isEqualTo(bert.get("intermediate_size").asInt());
        assertThat(base.layerNormEps()).isEqualTo(bert.get("layer_norm_eps").asDouble());
    }

    @Test
    void tinyDeclarationEqualsTheGoldenCheckpoint() {
        JsonNode config = Golden.json(Golden.gdinoSuite().resolve("config.json"));
        Map<String, String> expected = reference(config.get("state_dict"));
        JsonNode sl = config.get("slconfig");
        int dModel = sl.get("hidden_dim").asInt();
        int nheads = sl.get("nheads").asInt();
        int ffn = sl.get("dim_feedforward").asInt();
        int layers = sl.get("enc_layers").asInt();
        assertThat(BiAttentionConfig.forEncoder(dModel, nheads, ffn)).isEqualTo(BiAttentionConfig.tiny());
        assertThat(TransformerEncoderLayer.Config.textEnhancer(dModel, nheads, ffn))
                .isEqualTo(TransformerEncoderLayer.Config.tiny());
        JsonNode bert = config.get("bert_config");
        BertConfig tiny = new BertConfig(bert.get("vocab_size").asInt(), bert.get("hidden_size").asInt(),
                bert.get("num_hidden_layers").asInt(), bert.get("num_attention_heads").asInt(),
                bert.get("intermediate_size").asInt(), bert.get("max_position_embeddings").asInt(),
                bert.get("type_vocab_size").asInt(), bert.get("layer_norm_eps").asDouble());
        assertThat(tiny).isEqualTo(BertConfig.tiny());
        Map<String, String> actual = declare(BertConfig.tiny(), BiAttentionConfig.tiny(),
                TransformerEncoderLayer.Config.tiny(), layers);
        assertThat(actual).containsExactlyEntriesOf(expected);
    }
}
