package dev.groundingdino.internal.hf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * THE name map between the Hugging Face layout of GroundingDINO / MM-GroundingDINO checkpoints
 * ({@code transformers} {@code GroundingDinoForObjectDetection} / {@code MMGroundingDinoForObjectDetection}
 * state dicts, as {@code save_pretrained} writes them) and the reference module tree this project's model classes
 * read (the original {@code groundingdino.py} state-dict names, see {@code ParamTree}).
 *
 * <p>Learned from transformers' {@code convert_grounding_dino_to_hf.py} (rename list and {@code read_in_q_k_v}),
 * {@code convert_mm_grounding_dino_to_hf.py} and the 5.x key conversions of Swin. Every rule is a pair of templates
 * with placeholders: {@code {i}}, {@code {j}} (integers, the same on both sides), {@code {n+1}} (an integer that is
 * one larger on the Hub side), {@code {leaf}} ({@code weight} or {@code bias}) and {@code {rest}} (any dotted
 * tail). A rule either renames a tensor ({@link Part#WHOLE}) or says that the Hub tensor is one third of a fused
 * reference tensor ({@link Part#Q}, {@link Part#K}, {@link Part#V}: rows {@code [0, C)}, {@code [C, 2C)},
 * {@code [2C, 3C)} of Swin's {@code attn.qkv} or {@code nn.MultiheadAttention}'s {@code in_proj_weight/bias}),
 * which the loader concatenates and the exporter splits.
 *
 * <p>Canonical rules give the names {@code save_pretrained} writes (transformers 4.x and 5.x alike: Swin under
 * {@code model.backbone.conv_encoder.model.embeddings/encoder}, attention split into {@code query/key/value});
 * alternate rules accept other spellings found in the wild: the 5.x in-memory Swin names
 * ({@code ...model.swin.encoder...q_proj}, what {@code model.state_dict()} returns) and the fused
 * {@code in_proj_weight/bias} that {@code convert_grounding_dino_to_hf.py} emits for the text enhancer and the
 * decoder attentions. Tensors the Hub layout carries that inference never uses are listed in {@link #UNUSED}.
 *
 * <p>What is not a rename lives in {@link HfCheckpoint}: the tied aliases ({@code model.decoder.bbox_embed.i} =
 * {@code bbox_embed.i}, {@code model.decoder.class_embed.i} = {@code class_embed.i}, heads absent from the file
 * restored from head 0) and the derived buffers ({@code relative_position_index}, {@code position_ids}), which
 * the project's {@code StrictLoader} tolerates.
 */
public final class HfKeyMap {
    /** Which part of the reference tensor a Hub tensor is. */
    public enum Part {
        /** The whole tensor, renamed. */
        WHOLE,
        /** The query third of a fused q/k/v tensor (rows {@code [0, C)}). */
        Q,
        /** The key third (rows {@code [C, 2C)}). */
        K,
        /** The value third (rows {@code [2C, 3C)}). */
        V;

        /** The index of this third in the fused tensor (Q 0, K 1, V 2); WHOLE has none. */
        public int third() {
            if (this == WHOLE) {
                throw new IllegalStateException("a whole tensor is not a third");
            }
            return ordinal() - 1;
        }
    }

    /** A Hub name and the part of a reference tensor it holds. */
    public record HubName(String key, Part part) {}

    /** A reference name and the part of it a Hub tensor holds. */
    public record ReferenceName(String key, Part part) {}

    private record Rule(Template hub, Template ref, Part part, boolean canonical) {}

    private static final String SWIN = "model.backbone.conv_encoder.model.";
    private static final String SWIN5 = "model.backbone.conv_encoder.model.swin.";
    private static final String BLOCK = "encoder.layers.{i}.blocks.{j}.";
    private static final String REF_BLOCK = "backbone.0.layers.{i}.blocks.{j}.";
    private static final String ENC = "model.encoder.layers.{i}.";
    private static final String DEC = "model.decoder.layers.{i}.";
    private static final String REF_ENC = "transformer.encoder.";
    private static final String REF_DEC = "transformer.decoder.layers.{i}.";

    private static final List<Rule> RULES = new ArrayList<>();

    static {
        // ---------------------------------------------------------------- Swin backbone (backbone.0 = SwinTransformer)
        // save_pretrained names (convert_grounding_dino_to_hf.py create_rename_keys / read_in_q_k_v):
        rename(SWIN + "embeddings.patch_embeddings.projection.{leaf}", "backbone.0.patch_embed.proj.{leaf}");
        rename(SWIN + "embeddings.norm.{leaf}", "backbone.0.patch_embed.norm.{leaf}");
        rename(SWIN + BLOCK + "layernorm_before.{leaf}", REF_BLOCK + "norm1.{leaf}");
        rename(SWIN + BLOCK + "layernorm_after.{leaf}", REF_BLOCK + "norm2.{leaf}");
        rename(SWIN + BLOCK + "attention.self.relative_position_bias_table", REF_BLOCK + "attn.relative_position_bias_table");
        // a persistent buffer in transformers 4.x (present in older uploads); derived, the loader tolerates it
        rename(SWIN + BLOCK + "attention.self.relative_position_index", REF_BLOCK + "attn.relative_position_index");
        split(SWIN + BLOCK + "attention.self.{qkv}.{leaf}", REF_BLOCK + "attn.qkv.{leaf}", "query", "key", "value");
        rename(SWIN + BLOCK + "attention.output.dense.{leaf}", REF_BLOCK + "attn.proj.{leaf}");
        rename(SWIN + BLOCK + "intermediate.dense.{leaf}", REF_BLOCK + "mlp.fc1.{leaf}");
        rename(SWIN + BLOCK + "output.dense.{leaf}", REF_BLOCK + "mlp.fc2.{leaf}");
        rename(SWIN + "encoder.layers.{i}.downsample.reduction.weight", "backbone.0.layers.{i}.downsample.reduction.weight");
        rename(SWIN + "encoder.layers.{i}.downsample.norm.{leaf}", "backbone.0.layers.{i}.downsample.norm.{leaf}");
        // SwinBackbone's out_features "stage<k>" are 1-based and the reference's norm<k-1> 0-based
        rename(SWIN + "hidden_states_norms.stage{n+1}.{leaf}", "backbone.0.norm{n}.{leaf}");
        // transformers 5.x in-memory names (model.state_dict() before the save conversion): accepted as well
        alternate(SWIN5 + "embeddings.patch_embeddings.projection.{leaf}", "backbone.0.patch_embed.proj.{leaf}");
        alternate(SWIN5 + "embeddings.norm.{leaf}", "backbone.0.patch_embed.norm.{leaf}");
        alternate(SWIN5 + BLOCK + "layernorm_before.{leaf}", REF_BLOCK + "norm1.{leaf}");
        alternate(SWIN5 + BLOCK + "layernorm_after.{leaf}", REF_BLOCK + "norm2.{leaf}");
        alternate(SWIN5 + BLOCK + "attention.relative_position_bias.relative_position_bias_table",
                REF_BLOCK + "attn.relative_position_bias_table");
        alternateSplit(SWIN5 + BLOCK + "attention.{qkv}.{leaf}", REF_BLOCK + "attn.qkv.{leaf}", "q_proj", "k_proj",
                "v_proj");
        alternate(SWIN5 + BLOCK + "attention.o_proj.{leaf}", REF_BLOCK + "attn.proj.{leaf}");
        alternate(SWIN5 + BLOCK + "mlp.fc1.{leaf}", REF_BLOCK + "mlp.fc1.{leaf}");
        alternate(SWIN5 + BLOCK + "mlp.fc2.{leaf}", REF_BLOCK + "mlp.fc2.{leaf}");
        alternate(SWIN5 + "encoder.layers.{i}.downsample.reduction.weight",
                "backbone.0.layers.{i}.downsample.reduction.weight");
        alternate(SWIN5 + "encoder.layers.{i}.downsample.norm.{leaf}", "backbone.0.layers.{i}.downsample.norm.{leaf}");

        // ---------------------------------------------------------------- input projections, text side, queries
        rename("model.input_proj_vision.{i}.{j}.{leaf}", "input_proj.{i}.{j}.{leaf}"); // Sequential(Conv2d, GroupNorm)
        rename("model.text_backbone.{rest}", "bert.{rest}"); // the BERT (no pooler in the Hub models)
        rename("model.text_projection.{leaf}", "feat_map.{leaf}");
        rename("model.level_embed", "transformer.level_embed");
        rename("model.query_position_embeddings.weight", "transformer.tgt_embed.weight");

        // ---------------------------------------------------------------- encoder layer i
        // deformable self-attention layer (transformer.encoder.layers.i)
        for (String m : new String[] {"sampling_offsets", "attention_weights", "value_proj", "output_proj"}) {
            rename(ENC + "deformable_layer.self_attn." + m + ".{leaf}", REF_ENC + "layers.{i}.self_attn." + m + ".{leaf}");
        }
        rename(ENC + "deformable_layer.self_attn_layer_norm.{leaf}", REF_ENC + "layers.{i}.norm1.{leaf}");
        rename(ENC + "deformable_layer.fc1.{leaf}", REF_ENC + "layers.{i}.linear1.{leaf}");
        rename(ENC + "deformable_layer.fc2.{leaf}", REF_ENC + "layers.{i}.linear2.{leaf}");
        rename(ENC + "deformable_layer.final_layer_norm.{leaf}", REF_ENC + "layers.{i}.norm2.{leaf}");
        // text enhancer (transformer.encoder.text_layers.i, an nn.MultiheadAttention with fused in_proj)
        split(ENC + "text_enhancer_layer.self_attn.{qkv}.{leaf}", REF_ENC + "text_layers.{i}.self_attn.in_proj_{leaf}",
                "query", "key", "value");
        alternate(ENC + "text_enhancer_layer.self_attn.in_proj_{leaf}", REF_ENC + "text_layers.{i}.self_attn.in_proj_{leaf}");
        rename(ENC + "text_enhancer_layer.self_attn.out_proj.{leaf}", REF_ENC + "text_layers.{i}.self_attn.out_proj.{leaf}");
        rename(ENC + "text_enhancer_layer.fc1.{leaf}", REF_ENC + "text_layers.{i}.linear1.{leaf}");
        rename(ENC + "text_enhancer_layer.fc2.{leaf}", REF_ENC + "text_layers.{i}.linear2.{leaf}");
        rename(ENC + "text_enhancer_layer.layer_norm_before.{leaf}", REF_ENC + "text_layers.{i}.norm1.{leaf}");
        rename(ENC + "text_enhancer_layer.layer_norm_after.{leaf}", REF_ENC + "text_layers.{i}.norm2.{leaf}");
        // vision-language fusion (transformer.encoder.fusion_layers.i, BiAttentionBlock)
        rename(ENC + "fusion_layer.vision_param", REF_ENC + "fusion_layers.{i}.gamma_v");
        rename(ENC + "fusion_layer.text_param", REF_ENC + "fusion_layers.{i}.gamma_l");
        rename(ENC + "fusion_layer.layer_norm_vision.{leaf}", REF_ENC + "fusion_layers.{i}.layer_norm_v.{leaf}");
        rename(ENC + "fusion_layer.layer_norm_text.{leaf}", REF_ENC + "fusion_layers.{i}.layer_norm_l.{leaf}");
        rename(ENC + "fusion_layer.attn.vision_proj.{leaf}", REF_ENC + "fusion_layers.{i}.attn.v_proj.{leaf}");
        rename(ENC + "fusion_layer.attn.text_proj.{leaf}", REF_ENC + "fusion_layers.{i}.attn.l_proj.{leaf}");
        rename(ENC + "fusion_layer.attn.values_vision_proj.{leaf}", REF_ENC + "fusion_layers.{i}.attn.values_v_proj.{leaf}");
        rename(ENC + "fusion_layer.attn.values_text_proj.{leaf}", REF_ENC + "fusion_layers.{i}.attn.values_l_proj.{leaf}");
        rename(ENC + "fusion_layer.attn.out_vision_proj.{leaf}", REF_ENC + "fusion_layers.{i}.attn.out_v_proj.{leaf}");
        rename(ENC + "fusion_layer.attn.out_text_proj.{leaf}", REF_ENC + "fusion_layers.{i}.attn.out_l_proj.{leaf}");

        // ---------------------------------------------------------------- decoder layer i (transformer.decoder.layers.i)
        for (String m : new String[] {"sampling_offsets", "attention_weights", "value_proj", "output_proj"}) {
            rename(DEC + "encoder_attn." + m + ".{leaf}", REF_DEC + "cross_attn." + m + ".{leaf}");
        }
        rename(DEC + "encoder_attn_layer_norm.{leaf}", REF_DEC + "norm1.{leaf}");
        split(DEC + "encoder_attn_text.{qkv}.{leaf}", REF_DEC + "ca_text.in_proj_{leaf}", "query", "key", "value");
        alternate(DEC + "encoder_attn_text.in_proj_{leaf}", REF_DEC + "ca_text.in_proj_{leaf}");
        rename(DEC + "encoder_attn_text.out_proj.{leaf}", REF_DEC + "ca_text.out_proj.{leaf}");
        rename(DEC + "encoder_attn_text_layer_norm.{leaf}", REF_DEC + "catext_norm.{leaf}");
        split(DEC + "self_attn.{qkv}.{leaf}", REF_DEC + "self_attn.in_proj_{leaf}", "query", "key", "value");
        alternate(DEC + "self_attn.in_proj_{leaf}", REF_DEC + "self_attn.in_proj_{leaf}");
        rename(DEC + "self_attn.out_proj.{leaf}", REF_DEC + "self_attn.out_proj.{leaf}");
        rename(DEC + "self_attn_layer_norm.{leaf}", REF_DEC + "norm2.{leaf}");
        rename(DEC + "fc1.{leaf}", REF_DEC + "linear1.{leaf}");
        rename(DEC + "fc2.{leaf}", REF_DEC + "linear2.{leaf}");
        rename(DEC + "final_layer_norm.{leaf}", REF_DEC + "norm3.{leaf}");
        rename("model.decoder.layer_norm.{leaf}", "transformer.decoder.norm.{leaf}");
        rename("model.decoder.reference_points_head.layers.{i}.{leaf}", "transformer.decoder.ref_point_head.layers.{i}.{leaf}");

        // ---------------------------------------------------------------- heads
        // bbox_embed.i: the detector's box heads; model.decoder.bbox_embed.i is the same ModuleList (tied alias)
        rename("bbox_embed.{i}.layers.{j}.{leaf}", "bbox_embed.{i}.layers.{j}.{leaf}");
        alternate("model.decoder.bbox_embed.{i}.layers.{j}.{leaf}", "transformer.decoder.bbox_embed.{i}.layers.{j}.{leaf}");
        // MM-GroundingDINO's class heads carry a scalar bias (GroundingDINO's have no parameters); tied alias as above
        rename("class_embed.{i}.bias", "class_embed.{i}.bias");
        alternate("model.decoder.class_embed.{i}.bias", "transformer.decoder.class_embed.{i}.bias");
        // two-stage query selection
        rename("model.enc_output.{leaf}", "transformer.enc_output.{leaf}");
        rename("model.enc_output_norm.{leaf}", "transformer.enc_output_norm.{leaf}");
        rename("model.encoder_output_bbox_embed.layers.{i}.{leaf}", "transformer.enc_out_bbox_embed.layers.{i}.{leaf}");
        rename("model.encoder_output_class_embed.bias", "transformer.enc_out_class_embed.bias"); // MM only
    }

    /**
     * Hub tensors that inference never uses, ignored when present: Swin's final {@code layernorm} (SwinModel's,
     * which SwinBackbone never applies; transformers 5 saves it, its loader lists it in
     * {@code _keys_to_ignore_on_load_missing}) and the 5.x flattened {@code relative_position_index} buffer.
     */
    static final List<Pattern> UNUSED = List.of(
            Template.of(SWIN5 + "layernorm.{leaf}").regex,
            Template.of(SWIN + "layernorm.{leaf}").regex,
            Template.of(SWIN5 + BLOCK + "attention.relative_position_bias.relative_position_index").regex);

    private HfKeyMap() {}

    /**
     * The reference name (and part) of Hub tensor {@code hubKey}, or empty for a name no rule knows (including the
     * {@link #isUnused unused} ones).
     */
    public static Optional<ReferenceName> toReference(String hubKey) {
        for (Rule r : RULES) {
            Map<String, String> values = r.hub.match(hubKey);
            if (values != null) {
                return Optional.of(new ReferenceName(r.ref.format(values), r.part));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code hubKey} is a Hub tensor that inference never uses (see {@link #UNUSED}). */
    public static boolean isUnused(String hubKey) {
        for (Pattern p : UNUSED) {
            if (p.matcher(hubKey).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The canonical Hub name(s) of reference tensor {@code referenceKey}: one {@link Part#WHOLE} name, or the three
     * split names of a fused q/k/v tensor in Q, K, V order; empty if the Hub layout has no such tensor (e.g. the
     * reference BERT's pooler).
     */
    public static List<HubName> toHub(String referenceKey) {
        List<HubName> out = new ArrayList<>();
        for (Rule r : RULES) {
            if (!r.canonical) {
                continue;
            }
            Map<String, String> values = r.ref.match(referenceKey);
            if (values != null) {
                out.add(new HubName(r.hub.format(values), r.part));
            }
        }
        return out;
    }

    private static void rename(String hub, String ref) {
        RULES.add(new Rule(Template.of(hub), Template.of(ref), Part.WHOLE, true));
    }

    private static void alternate(String hub, String ref) {
        RULES.add(new Rule(Template.of(hub), Template.of(ref), Part.WHOLE, false));
    }

    private static void split(String hub, String ref, String q, String k, String v) {
        splitRules(hub, ref, q, k, v, true);
    }

    private static void alternateSplit(String hub, String ref, String q, String k, String v) {
        splitRules(hub, ref, q, k, v, false);
    }

    private static void splitRules(String hub, String ref, String q, String k, String v, boolean canonical) {
        RULES.add(new Rule(Template.of(hub.replace("{qkv}", q)), Template.of(ref), Part.Q, canonical));
        RULES.add(new Rule(Template.of(hub.replace("{qkv}", k)), Template.of(ref), Part.K, canonical));
        RULES.add(new Rule(Template.of(hub.replace("{qkv}", v)), Template.of(ref), Part.V, canonical));
    }

    /** A key template: literal text with {@code {name}} / {@code {name+1}} placeholders. */
    private static final class Template {
        private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)(\\+1)?\\}");

        final String text;
        final Pattern regex;
        final List<String> names = new ArrayList<>();
        final List<Boolean> plusOne = new ArrayList<>();

        private Template(String text) {
            this.text = text;
            StringBuilder re = new StringBuilder();
            Matcher m = PLACEHOLDER.matcher(text);
            int last = 0;
            while (m.find()) {
                re.append(Pattern.quote(text.substring(last, m.start())));
                String name = m.group(1);
                re.append(switch (name) {
                    case "leaf" -> "(weight|bias)";
                    case "rest" -> "(.+)";
                    default -> "(\\d+)";
                });
                names.add(name);
                plusOne.add(m.group(2) != null);
                last = m.end();
            }
            re.append(Pattern.quote(text.substring(last)));
            this.regex = Pattern.compile(re.toString());
        }

        static Template of(String text) {
            return new Template(text);
        }

        /** The placeholder values of {@code key} (with {@code +1} placeholders stored without the offset). */
        Map<String, String> match(String key) {
            Matcher m = regex.matcher(key);
            if (!m.matches()) {
                return null;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int g = 0; g < names.size(); g++) {
                String v = m.group(g + 1);
                if (plusOne.get(g)) {
                    int n = Integer.parseInt(v) - 1;
                    if (n < 0) {
                        return null; // "stage0" does not exist
                    }
                    v = Integer.toString(n);
                }
                String previous = values.putIfAbsent(names.get(g), v);
                if (previous != null && !previous.equals(v)) {
                    return null;
                }
            }
            return values;
        }

        String format(Map<String, String> values) {
            StringBuilder out = new StringBuilder();
            Matcher m = PLACEHOLDER.matcher(text);
            int last = 0;
            while (m.find()) {
                out.append(text, last, m.start());
                String v = values.get(m.group(1));
                if (v == null) {
                    throw new IllegalStateException("template " + text + " lacks a value for " + m.group(1));
                }
                out.append(m.group(2) != null ? Integer.toString(Integer.parseInt(v) + 1) : v);
                last = m.end();
            }
            return out.append(text.substring(last)).toString();
        }
    }
}
