package dev.groundingdino.internal.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads (and writes) the {@code config.json} of a Hugging Face GroundingDINO / MM-GroundingDINO checkpoint into the
 * project's typed {@link GroundingDinoConfig}: transformers' {@code GroundingDinoConfig} /
 * {@code MMGroundingDinoConfig} with its {@code backbone_config} ({@code SwinConfig}) and {@code text_config}
 * ({@code BertConfig}). Absent keys take transformers' defaults (the released tiny models' settings).
 *
 * <p>The computation of transformers' ports differs from the reference in ways the config records express as
 * options: the text encoder has no pooler, reference boxes go back to logit space with
 * {@code torch.special.logit(x, eps=1e-5)} ({@link TransformerConfig.BoxLogit#LOGIT_EPS_1E5}), the text
 * self-attention masks and position ids follow transformers' {@code generate_masks_with_special_tokens_and_transfer_map}
 * ({@link GroundingDinoConfig.SpecialTokenMasks#PER_ROW}), and MM-GroundingDINO's class heads are scaled and biased
 * ({@link TransformerConfig#contrastiveBias()}).
 *
 * <p>Settings that change the computation in ways this port does not implement are rejected with a
 * {@link CheckpointException} naming the key: another backbone or text encoder, {@code two_stage=false},
 * {@code embedding_init_target=false}, a learned position embedding, {@code d_model} other than 256,
 * {@code max_text_len} other than 256, different encoder/decoder widths or head counts, another activation or
 * LayerNorm epsilon, absolute Swin position embeddings. Training-only settings (dropouts, losses, matcher costs)
 * are ignored. {@code two_stage_bbox_embed_share} is ignored too: transformers builds
 * {@code encoder_output_bbox_embed} before the decoder's box heads exist, so it is never shared there.
 */
public final class HfConfig {
    /** The {@code model_type} values this port reads. */
    public enum ModelType {
        /** transformers' {@code GroundingDinoForObjectDetection} (IDEA-Research/grounding-dino-tiny, -base). */
        GROUNDING_DINO("grounding-dino", "GroundingDinoForObjectDetection", "GroundingDINO"),
        /**
         * {@code MMGroundingDinoForObjectDetection} (openmmlab-community/mm_grounding_dino_*,
         * iSEE-Laboratory/llmdet_*).
         */
        MM_GROUNDING_DINO("mm-grounding-dino", "MMGroundingDinoForObjectDetection", "MM-GroundingDINO");

        private final String jsonName;
        private final String architecture;
        private final String displayName;

        ModelType(String jsonName, String architecture, String displayName) {
            this.jsonName = jsonName;
            this.architecture = architecture;
            this.displayName = displayName;
        }

        /** The {@code model_type} string. */
        public String jsonName() {
            return jsonName;
        }

        /** The transformers class written to {@code architectures}. */
        public String architecture() {
            return architecture;
        }

        public String displayName() {
            return displayName;
        }

        static ModelType of(String name, String where) {
            for (ModelType t : values()) {
                if (t.jsonName.equals(name)) {
                    return t;
                }
            }
            throw new CheckpointException(where + ": model_type '" + name + "' is not a GroundingDINO model. This "
                    + "library reads model_type \"grounding-dino\" (e.g. IDEA-Research/grounding-dino-tiny) and "
                    + "\"mm-grounding-dino\" (openmmlab-community/mm_grounding_dino_*, iSEE-Laboratory/llmdet_*).");
        }
    }

    /** A parsed config: the model type and the typed config of the project. */
    public record Parsed(ModelType type, GroundingDinoConfig config) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfig() {}

    /**
     * Reads {@code config.json}.
     *
     * @param file the config file
     * @param name a name for the variant (e.g. the checkpoint folder's name), used in messages
     * @throws CheckpointException if the file is missing, not JSON, of another model type, or asks for settings this
     *     port does not implement
     */
    public static Parsed read(Path file, String name) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException("config.json not found: " + file.toAbsolutePath() + ". A Hugging Face "
                    + "checkpoint folder holds config.json beside model.safetensors; download both.");
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + " as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + " is not a JSON object; expected a transformers config.json");
        }
        return parse(root, file.toString(), name);
    }

    /** Whether {@code root} looks like a transformers config (it has a {@code model_type}). */
    public static boolean isTransformersConfig(JsonNode root) {
        return root != null && root.isObject() && root.path("model_type").isTextual();
    }

    /**
     * Interprets a transformers config.
     *
     * @param root the JSON object
     * @param where the file, for messages
     * @param name the variant's name suffix
     */
    public static Parsed parse(JsonNode root, String where, String name) {
        if (!root.path("model_type").isTextual()) {
            throw new CheckpointException(where + " has no model_type; expected a transformers config.json of "
                    + "model_type \"grounding-dino\" or \"mm-grounding-dino\"");
        }
        ModelType type = ModelType.of(root.get("model_type").asText(), where);
        try {
            return new Parsed(type, build(root, type, where, name));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + ": " + e.getMessage(), e);
        }
    }

    private static GroundingDinoConfig build(JsonNode root, ModelType type, String where, String name) {
        if (!root.path("backbone").isMissingNode() && !root.path("backbone").isNull()
                && root.path("backbone_config").isMissingNode()) {
            throw unsupported(where, "backbone", root.get("backbone").asText(),
                    "a timm/AutoBackbone backbone by name; only a Swin backbone_config is supported");
        }
        if (root.path("use_timm_backbone").asBoolean(false)) {
            throw unsupported(where, "use_timm_backbone", "true", "only transformers' Swin backbone is supported");
        }
        expect(root, "two_stage", true);
        expect(root, "embedding_init_target", true);
        expect(root, "position_embedding_type", "sine");
        expect(root, "query_dim", 4);
        expect(root, "max_text_len", 256);
        expect(root, "d_model", 256);
        expect(root, "activation_function", "relu");
        expectNumber(root, "layer_norm_eps", 1e-5);

        int encHeads = integer(root, "encoder_attention_heads", 8);
        int decHeads = integer(root, "decoder_attention_heads", 8);
        if (encHeads != decHeads) {
            throw new IllegalArgumentException("encoder_attention_heads " + encHeads + " and decoder_attention_heads "
                    + decHeads + " differ; the reference model (nheads) has one head count");
        }
        int encFfn = integer(root, "encoder_ffn_dim", 2048);
        int decFfn = integer(root, "decoder_ffn_dim", 2048);
        if (encFfn != decFfn) {
            throw new IllegalArgumentException("encoder_ffn_dim " + encFfn + " and decoder_ffn_dim " + decFfn
                    + " differ; the reference model (dim_feedforward) has one width");
        }
        TransformerConfig transformer = new TransformerConfig(integer(root, "d_model", 256), encHeads,
                integer(root, "num_queries", 900), integer(root, "encoder_layers", 6),
                integer(root, "decoder_layers", 6), encFfn, integer(root, "num_feature_levels", 4),
                integer(root, "encoder_n_points", 4), integer(root, "decoder_n_points", 4),
                TransformerConfig.Activation.RELU, true, true, true, true,
                TransformerConfig.BoxLogit.LOGIT_EPS_1E5, type == ModelType.MM_GROUNDING_DINO);
        SwinConfig swin = swin(root.path("backbone_config"));
        BertConfig bert = bert(root.path("text_config"));
        double temperature = number(root, "positional_embedding_temperature", 20);
        // GroundingDINO: decoder_bbox_embed_share (default true). MM-GroundingDINO has no such setting: transformers
        // ties every head to head 0 when the file stores only that one; the loader decides from the file.
        boolean share = root.path("decoder_bbox_embed_share").asBoolean(true);
        String variant = type.displayName() + " (Hugging Face" + (name == null || name.isBlank() ? "" : ", " + name)
                + ")";
        return new GroundingDinoConfig(variant, swin, bert, transformer, temperature, temperature, true, share)
                .withSpecialTokenMasks(GroundingDinoConfig.SpecialTokenMasks.PER_ROW);
    }

    /** transformers' {@code SwinConfig} (defaults: Swin-T at 224 with out_indices [2, 3, 4], as GroundingDINO's). */
    private static SwinConfig swin(JsonNode s) {
        boolean absent = s.isMissingNode() || s.isNull();
        if (!absent && !s.isObject()) {
            throw new IllegalArgumentException("backbone_config must be an object");
        }
        JsonNode n = absent ? JSON.createObjectNode() : s;
        String modelType = n.path("model_type").asText("swin");
        if (!modelType.equals("swin")) {
            throw new IllegalArgumentException("backbone_config.model_type '" + modelType + "' is not supported; "
                    + "GroundingDINO checkpoints use a Swin backbone (\"swin\")");
        }
        expect(n, "use_absolute_embeddings", false, "backbone_config.");
        expect(n, "hidden_act", "gelu", "backbone_config.");
        expectNumber(n, "layer_norm_eps", 1e-5, "backbone_config.");
        List<Integer> depths = integers(n, "depths", List.of(2, 2, 6, 2));
        int stages = depths.size();
        List<Integer> outIndices;
        if (n.has("out_indices") && !n.get("out_indices").isNull()) {
            outIndices = integers(n, "out_indices", null);
        } else if (n.has("out_features") && !n.get("out_features").isNull()) {
            outIndices = new ArrayList<>();
            for (JsonNode f : n.get("out_features")) {
                String stage = f.asText();
                if (!stage.startsWith("stage")) {
                    throw new IllegalArgumentException("backbone_config.out_features entry '" + stage
                            + "' is not a stage; GroundingDINO uses the stages' outputs (\"stage2\" ...)");
                }
                outIndices.add(Integer.parseInt(stage.substring(5)));
            }
        } else {
            outIndices = absent ? List.of(2, 3, 4) : List.of(stages); // transformers' default: the last stage
        }
        List<Integer> zeroBased = new ArrayList<>();
        for (int k : outIndices) {
            if (k < 1 || k > stages) {
                throw new IllegalArgumentException("backbone_config.out_indices " + outIndices + " must name stages 1.."
                        + stages + " (0 is the patch embedding, which GroundingDINO does not use)");
            }
            zeroBased.add(k - 1); // "stage<k>" is the reference's stage k - 1
        }
        JsonNode image = n.path("image_size");
        int imageSize = image.isArray() ? image.get(0).asInt() : image.asInt(224);
        JsonNode patch = n.path("patch_size");
        int patchSize = patch.isArray() ? patch.get(0).asInt() : patch.asInt(4);
        return new SwinConfig(integer(n, "embed_dim", 96), depths, integers(n, "num_heads", List.of(3, 6, 12, 24)),
                integer(n, "window_size", 7), imageSize, zeroBased, number(n, "mlp_ratio", 4.0),
                n.path("qkv_bias").asBoolean(true), patchSize, integer(n, "num_channels", 3), true);
    }

    /** transformers' {@code BertConfig} (defaults: bert-base-uncased), without the pooler. */
    private static BertConfig bert(JsonNode t) {
        boolean absent = t.isMissingNode() || t.isNull();
        if (!absent && !t.isObject()) {
            throw new IllegalArgumentException("text_config must be an object");
        }
        JsonNode n = absent ? JSON.createObjectNode() : t;
        String modelType = n.path("model_type").asText("bert");
        if (!modelType.equals("bert")) {
            throw new IllegalArgumentException("text_config.model_type '" + modelType + "' is not supported; "
                    + "GroundingDINO checkpoints use BERT (\"bert\")");
        }
        expect(n, "hidden_act", "gelu", "text_config.");
        expect(n, "position_embedding_type", "absolute", "text_config.");
        return new BertConfig(integer(n, "vocab_size", 30522), integer(n, "hidden_size", 768),
                integer(n, "num_hidden_layers", 12), integer(n, "num_attention_heads", 12),
                integer(n, "intermediate_size", 3072), integer(n, "max_position_embeddings", 512),
                integer(n, "type_vocab_size", 2), number(n, "layer_norm_eps", 1e-12), false);
    }

    // --------------------------------------------------------------------------------------------- writing

    /**
     * The {@code config.json} of {@code cfg} in transformers' layout (what {@code save_pretrained} would write for
     * such a model; training-only settings take transformers' defaults).
     *
     * @throws IllegalArgumentException if {@code cfg} cannot be expressed as a transformers config (its settings
     *     are outside the ports: another activation, no text enhancer, ...)
     */
    public static ObjectNode toJson(GroundingDinoConfig cfg, ModelType type) {
        TransformerConfig t = cfg.transformer();
        if (!t.embedInitTgt() || !t.useTextEnhancer() || !t.useFusionLayer() || !t.useTextCrossAttention()
                || t.activation() != TransformerConfig.Activation.RELU || !cfg.subSentencePresent()
                || cfg.peTemperatureH() != cfg.peTemperatureW()) {
            throw new IllegalArgumentException(cfg.name() + " cannot be written as a transformers config: the ports "
                    + "always use the learned target embedding, the text enhancer, the fusion layers, the decoder's "
                    + "text cross-attention, ReLU, sub-sentence masks and one position-embedding temperature");
        }
        if ((type == ModelType.MM_GROUNDING_DINO) != t.contrastiveBias()) {
            throw new IllegalArgumentException(cfg.name() + (t.contrastiveBias() ? " has" : " has no")
                    + " biased class heads; model_type " + type.jsonName() + " needs the opposite");
        }
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add(type.architecture());
        root.put("model_type", type.jsonName());
        root.put("d_model", t.dModel());
        root.put("encoder_layers", t.encLayers());
        root.put("decoder_layers", t.decLayers());
        root.put("encoder_ffn_dim", t.dimFeedforward());
        root.put("decoder_ffn_dim", t.dimFeedforward());
        root.put("encoder_attention_heads", t.nHeads());
        root.put("decoder_attention_heads", t.nHeads());
        root.put("encoder_n_points", t.encNPoints());
        root.put("decoder_n_points", t.decNPoints());
        root.put("num_queries", t.numQueries());
        root.put("num_feature_levels", t.numFeatureLevels());
        root.put("activation_function", "relu");
        root.put("two_stage", true);
        root.put("embedding_init_target", true);
        root.put("query_dim", 4);
        root.put("max_text_len", 256);
        root.put("position_embedding_type", "sine");
        root.put("positional_embedding_temperature", cfg.peTemperatureH());
        root.put("layer_norm_eps", 1e-5);
        if (type == ModelType.GROUNDING_DINO) {
            root.put("decoder_bbox_embed_share", cfg.decPredBboxEmbedShare());
            root.put("two_stage_bbox_embed_share", false);
        }
        root.put("is_encoder_decoder", true);
        root.put("dtype", "float32");

        SwinConfig s = cfg.swin();
        ObjectNode b = root.putObject("backbone_config");
        b.put("model_type", "swin");
        b.put("embed_dim", s.embedDim());
        ints(b.putArray("depths"), s.depths());
        ints(b.putArray("num_heads"), s.numHeads());
        b.put("window_size", s.windowSize());
        b.put("image_size", s.pretrainImgSize());
        b.put("patch_size", s.patchSize());
        b.put("num_channels", s.inChans());
        b.put("mlp_ratio", s.mlpRatio());
        b.put("qkv_bias", s.qkvBias());
        b.put("hidden_act", "gelu");
        b.put("layer_norm_eps", 1e-5);
        b.put("use_absolute_embeddings", false);
        ArrayNode outFeatures = b.putArray("out_features");
        ArrayNode outIndices = b.putArray("out_indices");
        for (int i : s.outIndices()) {
            outFeatures.add("stage" + (i + 1));
            outIndices.add(i + 1);
        }

        BertConfig bc = cfg.bert();
        ObjectNode tc = root.putObject("text_config");
        tc.put("model_type", "bert");
        tc.put("vocab_size", bc.vocabSize());
        tc.put("hidden_size", bc.hiddenSize());
        tc.put("num_hidden_layers", bc.numHiddenLayers());
        tc.put("num_attention_heads", bc.numAttentionHeads());
        tc.put("intermediate_size", bc.intermediateSize());
        tc.put("max_position_embeddings", bc.maxPositionEmbeddings());
        tc.put("type_vocab_size", bc.typeVocabSize());
        tc.put("layer_norm_eps", bc.layerNormEps());
        tc.put("hidden_act", "gelu");
        tc.put("pad_token_id", 0);
        return root;
    }

    /** The JSON text of {@link #toJson}, indented. */
    public static String toJsonText(GroundingDinoConfig cfg, ModelType type) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(cfg, type)) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the config", e);
        }
    }

    // --------------------------------------------------------------------------------------------- helpers

    private static void ints(ArrayNode a, List<Integer> values) {
        values.forEach(a::add);
    }

    private static CheckpointException unsupported(String where, String key, String value, String why) {
        return new CheckpointException(where + ": " + key + " = " + value + " is not supported (" + why + ")");
    }

    private static void expect(JsonNode n, String key, Object expected) {
        expect(n, key, expected, "");
    }

    private static void expect(JsonNode n, String key, Object expected, String prefix) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return; // transformers' default, which is the expected value
        }
        boolean ok = expected instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b
                : expected instanceof Integer i ? v.canConvertToInt() && v.isIntegralNumber() && v.asInt() == i
                : v.isTextual() && v.asText().toLowerCase(Locale.ROOT).equals(expected);
        if (!ok) {
            throw new IllegalArgumentException(prefix + key + " = " + v + " is not supported (only " + expected
                    + ", as in every released checkpoint)");
        }
    }

    private static void expectNumber(JsonNode n, String key, double expected) {
        expectNumber(n, key, expected, "");
    }

    private static void expectNumber(JsonNode n, String key, double expected, String prefix) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isNumber() || Math.abs(v.asDouble() - expected) > expected * 1e-9) {
            throw new IllegalArgumentException(prefix + key + " = " + v + " is not supported (only " + expected
                    + ", the epsilon the reference model hard-wires)");
        }
    }

    private static int integer(JsonNode n, String key, int fallback) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode n, String key, double fallback) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(key + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static List<Integer> integers(JsonNode n, String key, List<Integer> fallback) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(key + " is required");
            }
            return fallback;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(key + " must be a list of integers, got " + v);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isIntegralNumber()) {
                throw new IllegalArgumentException(key + " must be a list of integers, got " + v);
            }
            out.add(e.asInt());
        }
        return List.copyOf(out);
    }
}
