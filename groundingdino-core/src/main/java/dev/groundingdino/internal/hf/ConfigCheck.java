package dev.groundingdino.internal.hf;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.weights.StateDict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares the main dimensions of a {@code config.json} with the tensors of its {@code model.safetensors} before any
 * renaming, so that a config that belongs to other weights is reported in the config's own words
 * ({@code num_queries = 900, but model.query_position_embeddings.weight is [30, 256]}) instead of as hundreds of
 * shape mismatches. The strict check after renaming remains the complete one.
 */
final class ConfigCheck {
    private static final Pattern ENC_LAYER = Pattern.compile("model\\.encoder\\.layers\\.(\\d+)\\..+");
    private static final Pattern DEC_LAYER = Pattern.compile("model\\.decoder\\.layers\\.(\\d+)\\..+");
    private static final Pattern BERT_LAYER = Pattern.compile("model\\.text_backbone\\.encoder\\.layer\\.(\\d+)\\..+");
    private static final Pattern SWIN_BLOCK = Pattern.compile(
            "model\\.backbone\\.conv_encoder\\.model\\.(?:swin\\.)?encoder\\.layers\\.(\\d+)\\.blocks\\.(\\d+)\\..+");

    private ConfigCheck() {}

    /**
     * @throws CheckpointException listing every disagreement found
     */
    static void check(StateDict hub, HfConfig.Parsed parsed, String file) {
        GroundingDinoConfig cfg = parsed.config();
        List<String> problems = new ArrayList<>();
        boolean biased = hub.contains("model.encoder_output_class_embed.bias") || hub.contains("class_embed.0.bias")
                || hub.contains("model.decoder.class_embed.0.bias");
        if (biased && parsed.type() == HfConfig.ModelType.GROUNDING_DINO) {
            problems.add("model_type is \"grounding-dino\", but the tensors have MM-GroundingDINO's biased class "
                    + "heads (model.encoder_output_class_embed.bias, class_embed.i.bias): this is an "
                    + "MM-GroundingDINO checkpoint (model_type \"mm-grounding-dino\")");
        } else if (!biased && parsed.type() == HfConfig.ModelType.MM_GROUNDING_DINO
                && hub.contains("model.level_embed")) {
            problems.add("model_type is \"mm-grounding-dino\", but the tensors have no class-head biases "
                    + "(model.encoder_output_class_embed.bias): this is a GroundingDINO checkpoint "
                    + "(model_type \"grounding-dino\")");
        }
        int d = cfg.transformer().dModel();
        shape(hub, "model.level_embed", new long[] {cfg.transformer().numFeatureLevels(), d},
                "num_feature_levels = " + cfg.transformer().numFeatureLevels(), problems);
        shape(hub, "model.query_position_embeddings.weight", new long[] {cfg.transformer().numQueries(), d},
                "num_queries = " + cfg.transformer().numQueries(), problems);
        shape(hub, "model.encoder.layers.0.deformable_layer.fc1.weight",
                new long[] {cfg.transformer().dimFeedforward(), d},
                "encoder_ffn_dim = " + cfg.transformer().dimFeedforward(), problems);
        int heads = cfg.transformer().nHeads();
        shape(hub, "model.encoder.layers.0.deformable_layer.self_attn.attention_weights.weight",
                new long[] {(long) heads * cfg.transformer().numFeatureLevels() * cfg.transformer().encNPoints(), d},
                "encoder_attention_heads x num_feature_levels x encoder_n_points = " + heads + " x "
                        + cfg.transformer().numFeatureLevels() + " x " + cfg.transformer().encNPoints(), problems);
        shape(hub, "model.text_backbone.embeddings.word_embeddings.weight",
                new long[] {cfg.bert().vocabSize(), cfg.bert().hiddenSize()},
                "text_config vocab_size = " + cfg.bert().vocabSize() + ", hidden_size = " + cfg.bert().hiddenSize(),
                problems);
        for (String patch : new String[] {"model.backbone.conv_encoder.model.embeddings.patch_embeddings.projection.weight",
                "model.backbone.conv_encoder.model.swin.embeddings.patch_embeddings.projection.weight"}) {
            shape(hub, patch, new long[] {cfg.swin().embedDim(), cfg.swin().inChans(), cfg.swin().patchSize(),
                    cfg.swin().patchSize()}, "backbone_config embed_dim = " + cfg.swin().embedDim(), problems);
        }
        count(hub, ENC_LAYER, cfg.transformer().encLayers(), "encoder_layers", "model.encoder.layers.*", problems);
        count(hub, DEC_LAYER, cfg.transformer().decLayers(), "decoder_layers", "model.decoder.layers.*", problems);
        count(hub, BERT_LAYER, cfg.bert().numHiddenLayers(), "text_config num_hidden_layers",
                "model.text_backbone.encoder.layer.*", problems);
        int[] blocks = new int[64];
        int stages = 0;
        for (String key : hub.names()) {
            Matcher m = SWIN_BLOCK.matcher(key);
            if (m.matches()) {
                int stage = Integer.parseInt(m.group(1));
                if (stage < blocks.length) {
                    blocks[stage] = Math.max(blocks[stage], Integer.parseInt(m.group(2)) + 1);
                    stages = Math.max(stages, stage + 1);
                }
            }
        }
        if (stages > 0) {
            List<Integer> found = new ArrayList<>();
            for (int i = 0; i < stages; i++) {
                found.add(blocks[i]);
            }
            if (!found.equals(cfg.swin().depths())) {
                problems.add("backbone_config depths = " + cfg.swin().depths() + ", but the Swin blocks stored are "
                        + found + " per stage");
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("config.json disagrees with ").append(file).append(':');
            for (String p : problems) {
                sb.append("\n  ").append(p);
            }
            sb.append("\nUse the config.json that came with these weights (both files of one Hub repository).");
            throw new CheckpointException(sb.toString());
        }
    }

    private static void shape(StateDict hub, String key, long[] expected, String setting, List<String> problems) {
        if (!hub.contains(key)) {
            return;
        }
        long[] actual = hub.shape(key);
        if (!Arrays.equals(actual, expected)) {
            problems.add(setting + ", but " + key + " is " + Arrays.toString(actual) + " (expected "
                    + Arrays.toString(expected) + ")");
        }
    }

    private static void count(StateDict hub, Pattern layer, int expected, String setting, String what,
            List<String> problems) {
        int found = 0;
        for (String key : hub.names()) {
            Matcher m = layer.matcher(key);
            if (m.matches()) {
                found = Math.max(found, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (found > 0 && found != expected) {
            problems.add(setting + " = " + expected + ", but the file stores " + found + " (" + what + ")");
        }
    }
}
