package dev.groundingdino.internal.groundingdino;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link GroundingDinoConfig} from the reference's config files: the Python configs
 * ({@code GroundingDINO_SwinT_OGC.py}, {@code GroundingDINO_SwinB_cfg.py}, read by {@link PythonConfigParser}) and
 * the golden {@code config.json} (its {@code slconfig} dict plus {@code swin_effective} and {@code bert_config}
 * overrides). The settings are interpreted like {@code build_groundingdino} / {@code build_backbone} /
 * {@code build_transformer} do; settings that the port does not implement (another backbone or text encoder,
 * {@code two_stage_type != "standard"}, {@code pre_norm}, patterns) are rejected with a message naming them.
 */
public final class GroundingDinoConfigReader {
    private GroundingDinoConfigReader() {}

    /** Reads a Python config file. */
    public static GroundingDinoConfig fromPythonFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GroundingDINO config " + file + ": " + e.getMessage(), e);
        }
        String name = file.getFileName().toString();
        return fromSettings(PythonConfigParser.parse(text, name), null, null, "GroundingDINO (" + name + ")");
    }

    /** Reads the text of a Python config file ({@code origin} names it in messages and the config name). */
    public static GroundingDinoConfig fromPythonSource(String source, String origin) {
        return fromSettings(PythonConfigParser.parse(source, origin), null, null, "GroundingDINO (" + origin + ")");
    }

    /**
     * Reads a golden {@code config.json}: {@code slconfig} with the Swin dimensions of {@code swin_effective} and
     * the BERT of {@code bert_config}.
     */
    @SuppressWarnings("unchecked")
    public static GroundingDinoConfig fromGoldenJson(Path file) {
        Map<String, Object> root;
        try {
            root = new ObjectMapper().readValue(file.toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Object> sl = (Map<String, Object>) require(root, "slconfig", file.toString());
        SwinConfig swin = null;
        if (root.get("swin_effective") instanceof Map<?, ?> s) {
            Map<String, Object> sw = (Map<String, Object>) s;
            String where = file + " swin_effective";
            swin = new SwinConfig(integer(sw, "embed_dim", where), integers(sw, "depths", where),
                    integers(sw, "num_heads", where), integer(sw, "window_size", where),
                    integer(sw, "pretrain_img_size", where), integers(sw, "out_indices", where), 4.0, true, 4, 3, true);
        }
        BertConfig bert = null;
        if (root.get("bert_config") instanceof Map<?, ?> b) {
            Map<String, Object> bc = (Map<String, Object>) b;
            String where = file + " bert_config";
            if (bc.containsKey("hidden_act") && !"gelu".equals(bc.get("hidden_act"))) {
                throw new IllegalArgumentException(where + ": hidden_act " + bc.get("hidden_act")
                        + " is not supported (BERT uses the exact GELU)");
            }
            if (bc.containsKey("position_embedding_type") && !"absolute".equals(bc.get("position_embedding_type"))) {
                throw new IllegalArgumentException(where + ": only absolute position embeddings are supported");
            }
            bert = new BertConfig(integer(bc, "vocab_size", where), integer(bc, "hidden_size", where),
                    integer(bc, "num_hidden_layers", where), integer(bc, "num_attention_heads", where),
                    integer(bc, "intermediate_size", where), integer(bc, "max_position_embeddings", where),
                    integer(bc, "type_vocab_size", where), number(bc, "layer_norm_eps", where));
        }
        Object configName = root.get("config_name");
        return fromSettings(sl, swin, bert, "GroundingDINO (" + (configName == null ? file.getFileName() : configName)
                + ")");
    }

    /**
     * Interprets reference settings ({@code SLConfig} names).
     *
     * @param s the settings
     * @param swinOverride Swin dimensions replacing those implied by {@code backbone}, or null
     * @param bertOverride BERT dimensions replacing those implied by {@code text_encoder_type}, or null
     * @param name the config's name
     */
    public static GroundingDinoConfig fromSettings(Map<String, Object> s, SwinConfig swinOverride,
            BertConfig bertOverride, String name) {
        String where = name;
        Object model = s.get("modelname");
        if (model != null && !"groundingdino".equals(model)) {
            throw new IllegalArgumentException(where + ": modelname is '" + model + "', expected 'groundingdino'");
        }
        expect(s, "two_stage_type", "standard", where);
        expect(s, "position_embedding", "sine", where);
        expect(s, "query_dim", 4L, where);
        expect(s, "num_patterns", 0L, where);
        expect(s, "pre_norm", Boolean.FALSE, where);

        List<Integer> outIndices = integers(s, "return_interm_indices", where);
        SwinConfig swin = swinOverride != null ? swinOverride
                : swinByName(string(s, "backbone", where), where).withOutIndices(outIndices);
        if (!swin.outIndices().equals(outIndices)) {
            throw new IllegalArgumentException(where + ": return_interm_indices " + outIndices
                    + " disagree with the backbone's out_indices " + swin.outIndices());
        }
        BertConfig bert = bertOverride != null ? bertOverride : bertByName(string(s, "text_encoder_type", where), where);
        TransformerConfig transformer = new TransformerConfig(integer(s, "hidden_dim", where),
                integer(s, "nheads", where), integer(s, "num_queries", where), integer(s, "enc_layers", where),
                integer(s, "dec_layers", where), integer(s, "dim_feedforward", where),
                integer(s, "num_feature_levels", where), integer(s, "enc_n_points", where),
                integer(s, "dec_n_points", where),
                TransformerConfig.Activation.of(string(s, "transformer_activation", where)),
                bool(s, "embed_init_tgt", where), bool(s, "use_text_enhancer", where),
                bool(s, "use_fusion_layer", where), bool(s, "use_text_cross_attention", where));
        return new GroundingDinoConfig(name, swin, bert, transformer, number(s, "pe_temperatureH", where),
                number(s, "pe_temperatureW", where), bool(s, "sub_sentence_present", where),
                bool(s, "dec_pred_bbox_embed_share", where));
    }

    /**
     * The Swin variant of a reference backbone name ({@code swin_transformer.py::build_swin_transformer}'s
     * table), with the pretrain size taken from the name.
     */
    public static SwinConfig swinByName(String backbone, String where) {
        return switch (backbone) {
            case "swin_T_224_1k" -> SwinConfig.custom(96, List.of(2, 2, 6, 2), List.of(3, 6, 12, 24), 7, 224);
            case "swin_B_224_22k" -> SwinConfig.custom(128, List.of(2, 2, 18, 2), List.of(4, 8, 16, 32), 7, 224);
            case "swin_B_384_22k" -> SwinConfig.custom(128, List.of(2, 2, 18, 2), List.of(4, 8, 16, 32), 12, 384);
            case "swin_L_224_22k" -> SwinConfig.custom(192, List.of(2, 2, 18, 2), List.of(6, 12, 24, 48), 7, 224);
            case "swin_L_384_22k" -> SwinConfig.custom(192, List.of(2, 2, 18, 2), List.of(6, 12, 24, 48), 12, 384);
            default -> throw new IllegalArgumentException(where + ": backbone '" + backbone + "' is not supported; "
                    + "use one of swin_T_224_1k, swin_B_224_22k, swin_B_384_22k, swin_L_224_22k, swin_L_384_22k");
        };
    }

    private static BertConfig bertByName(String textEncoder, String where) {
        if (textEncoder.equals("bert-base-uncased") || textEncoder.endsWith("/bert-base-uncased")) {
            return BertConfig.bertBaseUncased();
        }
        throw new IllegalArgumentException(where + ": text_encoder_type '" + textEncoder
                + "' is not supported; GroundingDINO releases use bert-base-uncased");
    }

    private static void expect(Map<String, Object> s, String key, Object expected, String where) {
        if (s.containsKey(key)) {
            Object v = s.get(key);
            Object norm = v instanceof Integer i ? Long.valueOf(i) : v;
            if (!Objects.equals(norm, expected)) {
                throw new IllegalArgumentException(where + ": " + key + " = " + v + " is not supported (only "
                        + expected + ", as in every released GroundingDINO config)");
            }
        }
    }

    private static Object require(Map<String, Object> s, String key, String where) {
        if (!s.containsKey(key)) {
            throw new IllegalArgumentException(where + ": missing setting `" + key + "`");
        }
        return s.get(key);
    }

    private static int integer(Map<String, Object> s, String key, String where) {
        Object v = require(s, key, where);
        if (v instanceof Long || v instanceof Integer) {
            return Math.toIntExact(((Number) v).longValue());
        }
        throw new IllegalArgumentException(where + ": `" + key + "` must be an integer, got " + v);
    }

    private static double number(Map<String, Object> s, String key, String where) {
        Object v = require(s, key, where);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(where + ": `" + key + "` must be a number, got " + v);
    }

    private static boolean bool(Map<String, Object> s, String key, String where) {
        Object v = require(s, key, where);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(where + ": `" + key + "` must be True or False, got " + v);
    }

    private static String string(Map<String, Object> s, String key, String where) {
        Object v = require(s, key, where);
        if (v instanceof String str) {
            return str;
        }
        throw new IllegalArgumentException(where + ": `" + key + "` must be a string, got " + v);
    }

    private static List<Integer> integers(Map<String, Object> s, String key, String where) {
        Object v = require(s, key, where);
        if (v instanceof List<?> list) {
            List<Integer> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof Long) && !(o instanceof Integer)) {
                    throw new IllegalArgumentException(where + ": `" + key + "` must be a list of integers, got " + v);
                }
                out.add(Math.toIntExact(((Number) o).longValue()));
            }
            return List.copyOf(out);
        }
        throw new IllegalArgumentException(where + ": `" + key + "` must be a list, got " + v);
    }
}
