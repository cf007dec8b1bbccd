package dev.groundingdino.internal.groundingdino;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers the {@link GroundingDinoConfig} of a checkpoint from its tensor names and shapes alone, for loading
 * without a config file.
 *
 * <p>Everything structural is read from the shapes (Swin embed dim, depths, heads, window, output stages; BERT
 * widths and layers; transformer width, layers, FFN, levels, queries, optional text modules). What shapes cannot
 * tell is taken from the released configs: BERT heads = hidden / 64, 4 sampling points per head and level in the
 * encoder (giving the head count), ReLU, sine position temperatures 20, sub-sentence masks on, one shared decoder box head (the loader checks the
 * heads' values and unshares them when they differ). A result equal to a preset carries the preset's name.
 */
public final class VariantInference {
    private static final String SWIN = "backbone.0.";
    private static final String BERT = "bert.";
    private static final String TR = "transformer.";

    private final Map<String, long[]> shapes;

    private VariantInference(Map<String, long[]> shapes) {
        this.shapes = shapes;
    }

    /**
     * @param checkpointShapes tensor name to shape (a {@code module.} prefix is ignored)
     * @throws CheckpointException if the tensors do not look like a GroundingDINO checkpoint
     */
    public static GroundingDinoConfig infer(Map<String, long[]> checkpointShapes) {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : checkpointShapes.entrySet()) {
            String k = e.getKey().startsWith("module.") ? e.getKey().substring("module.".length()) : e.getKey();
            s.put(k, e.getValue());
        }
        return new VariantInference(s).run();
    }

    private GroundingDinoConfig run() {
        SwinConfig swin = swin();
        BertConfig bert = bert();
        TransformerConfig transformer = transformer();
        GroundingDinoConfig inferred = new GroundingDinoConfig(
                "GroundingDINO (inferred: Swin embed " + swin.embedDim() + " depths " + swin.depths() + " window "
                        + swin.windowSize() + ", BERT " + bert.hiddenSize() + "x" + bert.numHiddenLayers() + ", "
                        + transformer.encLayers() + "+" + transformer.decLayers() + " layers, "
                        + transformer.numQueries() + " queries)",
                swin, bert, transformer, 20, 20, true, true);
        for (GroundingDinoConfig preset : List.of(GroundingDinoConfig.swinTOgc(), GroundingDinoConfig.swinB())) {
            if (preset.withName(inferred.name()).equals(inferred)) {
                return preset;
            }
        }
        return inferred;
    }

    private SwinConfig swin() {
        long[] patch = need(SWIN + "patch_embed.proj.weight", 4);
        int embed = (int) patch[0];
        List<Integer> depths = new ArrayList<>();
        List<Integer> heads = new ArrayList<>();
        int window = -1;
        for (int i = 0; has(SWIN + "layers." + i + ".blocks.0.norm1.weight"); i++) {
            int d = 0;
            while (has(SWIN + "layers." + i + ".blocks." + d + ".norm1.weight")) {
                d++;
            }
            depths.add(d);
            long[] table = need(SWIN + "layers." + i + ".blocks.0.attn.relative_position_bias_table", 2);
            heads.add((int) table[1]);
            int w = (int) Math.round((Math.sqrt(table[0]) + 1) / 2);
            if ((2L * w - 1) * (2L * w - 1) != table[0] || (window >= 0 && w != window)) {
                throw notGroundingDino("relative_position_bias_table of stage " + i + " has " + table[0]
                        + " rows, not (2*window-1)^2 for one window size");
            }
            window = w;
        }
        if (depths.isEmpty()) {
            throw notGroundingDino("no Swin stages under " + SWIN + "layers");
        }
        List<Integer> outIndices = new ArrayList<>();
        for (int i = 0; i < depths.size(); i++) {
            if (has(SWIN + "norm" + i + ".weight")) {
                outIndices.add(i);
            }
        }
        long[] fc1 = need(SWIN + "layers.0.blocks.0.mlp.fc1.weight", 2);
        double mlpRatio = (double) fc1[0] / embed;
        boolean qkvBias = has(SWIN + "layers.0.blocks.0.attn.qkv.bias");
        boolean patchNorm = has(SWIN + "patch_embed.norm.weight");
        int pretrain = window == 12 ? 384 : 224; // documents the variant only (no absolute position embedding)
        return new SwinConfig(embed, depths, heads, window, pretrain, outIndices, mlpRatio, qkvBias, (int) patch[2],
                (int) patch[1], patchNorm);
    }

    private BertConfig bert() {
        long[] words = need(BERT + "embeddings.word_embeddings.weight", 2);
        int hidden = (int) words[1];
        int layers = 0;
        while (has(BERT + "encoder.layer." + layers + ".attention.self.query.weight")) {
            layers++;
        }
        if (layers == 0) {
            throw notGroundingDino("no BERT layers under " + BERT + "encoder.layer");
        }
        if (hidden % 64 != 0) {
            throw new CheckpointException("the BERT of this checkpoint has width " + hidden
                    + ", so its head count cannot be inferred from the tensors (released models use 64-wide heads): "
                    + "give the model's config file (the reference's .py, e.g. GroundingDINO_SwinT_OGC.py, or its JSON dump) with "
                    + "Detector.builder(checkpoint).config(file), or --config FILE on the command line");
        }
        long[] inter = need(BERT + "encoder.layer.0.intermediate.dense.weight", 2);
        long[] positions = need(BERT + "embeddings.position_embeddings.weight", 2);
        long[] types = need(BERT + "embeddings.token_type_embeddings.weight", 2);
        return new BertConfig((int) words[0], hidden, layers, hidden / 64, (int) inter[0], (int) positions[0],
                (int) types[0], 1e-12);
    }

    private TransformerConfig transformer() {
        long[] levelEmbed = need(TR + "level_embed", 2);
        int levels = (int) levelEmbed[0];
        int d = (int) levelEmbed[1];
        int enc = 0;
        while (has(TR + "encoder.layers." + enc + ".norm1.weight")) {
            enc++;
        }
        int dec = 0;
        while (has(TR + "decoder.layers." + dec + ".norm1.weight")) {
            dec++;
        }
        if (enc == 0 || dec == 0) {
            throw notGroundingDino("no encoder or decoder layers under " + TR);
        }
        long[] ffn = need(TR + "encoder.layers.0.linear1.weight", 2);
        long encWeights = need(TR + "encoder.layers.0.self_attn.attention_weights.weight", 2)[0];
        long decWeights = need(TR + "decoder.layers.0.cross_attn.attention_weights.weight", 2)[0];
        int encPoints = 4;
        if (encWeights % ((long) levels * encPoints) != 0) {
            throw new CheckpointException("encoder attention_weights has " + encWeights + " rows, not heads x "
                    + levels + " levels x 4 points: give the model's config file (the reference's .py, e.g. GroundingDINO_SwinT_OGC.py, or its JSON dump) with "
                    + "Detector.builder(checkpoint).config(file), or --config FILE on the command line");
        }
        int heads = (int) (encWeights / ((long) levels * encPoints));
        if (decWeights % ((long) levels * heads) != 0) {
            throw notGroundingDino("decoder attention_weights has " + decWeights + " rows, not a multiple of "
                    + heads + " heads x " + levels + " levels");
        }
        int decPoints = (int) (decWeights / ((long) levels * heads));
        boolean embedInitTgt = has(TR + "tgt_embed.weight");
        int queries = embedInitTgt ? (int) need(TR + "tgt_embed.weight", 2)[0] : 900;
        return new TransformerConfig(d, heads, queries, enc, dec, (int) ffn[0], levels, encPoints, decPoints,
                TransformerConfig.Activation.RELU, embedInitTgt, has(TR + "encoder.text_layers.0.norm1.weight"),
                has(TR + "encoder.fusion_layers.0.gamma_v"), has(TR + "decoder.layers.0.ca_text.in_proj_weight"));
    }

    private boolean has(String key) {
        return shapes.containsKey(key);
    }

    private long[] need(String key, int rank) {
        long[] s = shapes.get(key);
        if (s == null || s.length != rank) {
            throw notGroundingDino(s == null ? "it has no tensor " + key
                    : key + " has rank " + s.length + " instead of " + rank);
        }
        return s;
    }

    private static CheckpointException notGroundingDino(String why) {
        return new CheckpointException("cannot infer the GroundingDINO variant of this checkpoint: " + why
                + ". Is it a GroundingDINO checkpoint (groundingdino_swint_ogc.pth, groundingdino_swinb_cogcoor.pth)? "
                + "Otherwise give the model's config file (the reference's .py, e.g. GroundingDINO_SwinT_OGC.py, or its JSON dump) with "
                + "Detector.builder(checkpoint).config(file), or --config FILE on the command line.");
    }
}
