package dev.groundingdino.bench;

import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.transformer.TransformerConfig;
import dev.groundingdino.sam.internal.config.SamConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The floating-point operations of one GroundingDINO forward pass, computed from the model's actual shapes (the
 * config and the preprocessed input size), per stage of {@link StageClock}.
 *
 * <p>Counted: every matrix product, convolution and attention product (2 FLOP per multiply-add) and the bilinear
 * sampling of the deformable attention (4 corners per sample, 2 FLOP each per channel); not counted: element-wise
 * ops, norms, softmax, index arithmetic (a few percent). The count is that of THIS implementation: the fusion
 * layers' image-side projections are evaluated through the text ({@code BiMultiHeadAttention}), which the
 * reference's count ({@link #referenceFusionGflop}) does not do.
 */
public final class FlopCount {
    private FlopCount() {}

    /**
     * GFLOP per stage for a batch of {@code batch} images of {@code height x width} (after preprocessing) and a
     * caption of {@code textTokens} tokens.
     *
     * @param bertCached the caption's BERT output comes from the model's text cache (only {@code feat_map} runs)
     */
    public static Map<String, Double> groundingDino(GroundingDinoConfig cfg, int height, int width, int textTokens,
            int batch, boolean bertCached) {
        Map<String, Double> g = new LinkedHashMap<>();
        double n = textTokens;
        double featMap = 2 * n * cfg.bert().hiddenSize() * cfg.transformer().dModel() / 1e9;
        double bert = bertCached ? featMap : bert(cfg.bert(), n, cfg.transformer().dModel());
        g.put("text (BERT + feat_map)", batch * bert);
        Geometry geo = new Geometry(cfg, height, width);
        g.put("backbone (Swin + position)", batch * swin(cfg.swin(), height, width));
        g.put("input_proj", batch * inputProj(cfg, geo));
        TransformerConfig t = cfg.transformer();
        double s = geo.tokens;
        double d = t.dModel();
        int fusionWidth = t.dimFeedforward() / 2;
        int fusionHeads = t.nHeads() / 2;
        double fusion = fusion(s, n, d, fusionWidth, fusionHeads);
        double textLayer = textEnhancer(n, d, t.dimFeedforward() / 2);
        double deform = deformable(s, s, d, t.nHeads(), t.numFeatureLevels(), t.encNPoints())
                + 2 * 2 * s * d * t.dimFeedforward();
        g.put("encoder", batch * t.encLayers() * (fusion + textLayer + deform) / 1e9);
        g.put("encoder: fusion", batch * t.encLayers() * fusion / 1e9);
        g.put("encoder: text enhancer", batch * t.encLayers() * textLayer / 1e9);
        g.put("encoder: deformable", batch * t.encLayers() * deform / 1e9);
        double selection = 2 * s * d * d + 2 * s * d * n + 2 * s * (d * d + d * d + d * 4);
        g.put("query selection", batch * selection / 1e9);
        double q = t.numQueries();
        double selfAttn = 2 * 3 * q * d * d + 2 * 2 * q * q * d + 2 * q * d * d;
        double textAttn = 2 * q * d * d + 2 * 2 * n * d * d + 2 * 2 * q * n * d + 2 * q * d * d;
        double cross = deformable(q, s, d, t.nHeads(), t.numFeatureLevels(), t.decNPoints());
        double ffn = 2 * 2 * q * d * t.dimFeedforward();
        double heads = 2 * q * (2 * d * d + d * d) + 2 * q * (d * d + d * d + d * 4); // ref_point_head + box head
        g.put("decoder", batch * t.decLayers() * (selfAttn + textAttn + cross + ffn + heads) / 1e9);
        g.put("heads", batch * 2 * q * (d * d + d * d + d * 4 + d * n) / 1e9);
        return g;
    }

    /** The reference's fusion-layer GFLOP (image-side projections on every image token), for comparison. */
    public static double referenceFusionGflop(GroundingDinoConfig cfg, int height, int width, int textTokens,
            int batch) {
        TransformerConfig t = cfg.transformer();
        Geometry geo = new Geometry(cfg, height, width);
        double s = geo.tokens;
        double e = t.dimFeedforward() / 2.0;
        double d = t.dModel();
        double n = textTokens;
        double perLayer = 3 * 2 * s * d * e + 3 * 2 * n * d * e + 2 * 2 * s * n * e;
        return batch * t.encLayers() * perLayer / 1e9;
    }

    /** Total GFLOP of the stages (without the encoder's sub-stages). */
    public static double total(Map<String, Double> stages) {
        return stages.entrySet().stream().filter(e -> !e.getKey().startsWith("encoder:"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /**
     * GFLOP of SAM's image encoder ({@code ImageEncoderViT}) for one image: the patch embedding, the windowed and
     * the global-attention blocks (qkv and proj of windowed blocks run on the zero-padded windows, as in the
     * reference; attention includes the decomposed relative-position products) and the neck.
     */
    public static Map<String, Double> samEncoder(SamConfig cfg) {
        Map<String, Double> g = new LinkedHashMap<>();
        double c = cfg.encoderEmbedDim();
        int side = cfg.embeddingSize();
        double tokens = (double) side * side;
        g.put("patch embed", 2 * tokens * c * 3 * cfg.patchSize() * cfg.patchSize() / 1e9);
        double mlp = 2 * 2 * tokens * c * c * cfg.mlpRatio();
        int ws = cfg.windowSize();
        double padded = Math.pow(ceilDiv(side, ws) * (double) ws, 2);
        double windowAttn = 2 * 2 * padded * ws * ws * c + 2 * padded * 2 * ws * c; // QK^T, PV; rel_h, rel_w
        double windowed = 2 * padded * c * 3 * c + windowAttn + 2 * padded * c * c + mlp;
        double globalAttn = 2 * 2 * tokens * tokens * c + 2 * tokens * 2 * side * c;
        double global = 2 * tokens * c * 3 * c + globalAttn + 2 * tokens * c * c + mlp;
        int globals = 0;
        for (int i = 0; i < cfg.encoderDepth(); i++) {
            globals += cfg.isGlobalAttention(i) ? 1 : 0;
        }
        g.put("windowed blocks (" + (cfg.encoderDepth() - globals) + ")", (cfg.encoderDepth() - globals) * windowed
                / 1e9);
        g.put("global blocks (" + globals + ")", globals * global / 1e9);
        double out = cfg.promptEmbedDim();
        g.put("neck", (2 * tokens * c * out + 2 * tokens * out * out * 9) / 1e9);
        return g;
    }

    private static double bert(BertConfig b, double n, int dModel) {
        double h = b.hiddenSize();
        double perLayer = 2 * 4 * n * h * h + 2 * 2 * n * n * h + 2 * 2 * n * h * b.intermediateSize();
        return (b.numHiddenLayers() * perLayer + 2 * n * h * dModel) / 1e9;
    }

    private static double swin(SwinConfig c, int height, int width) {
        int h = ceilDiv(height, c.patchSize());
        int w = ceilDiv(width, c.patchSize());
        double flops = 2.0 * h * w * c.embedDim() * c.inChans() * c.patchSize() * c.patchSize();
        int ws = c.windowSize();
        int last = c.outIndices().get(c.outIndices().size() - 1);
        for (int i = 0; i <= last; i++) {
            double ch = c.numFeatures(i);
            double tokens = (double) h * w;
            double padded = (double) ceilDiv(h, ws) * ws * ceilDiv(w, ws) * ws;
            double block = 2 * padded * ch * 3 * ch // qkv
                    + 2 * 2 * padded * ws * ws * ch // q k^T and attn v
                    + 2 * padded * ch * ch // proj
                    + 2 * 2 * tokens * ch * c.mlpHidden(i); // fc1, fc2
            flops += c.depth(i) * block;
            if (i < c.numLayers() - 1) {
                int h2 = (h + 1) / 2;
                int w2 = (w + 1) / 2;
                flops += 2.0 * h2 * w2 * 4 * ch * 2 * ch; // patch merging reduction
                h = h2;
                w = w2;
            }
        }
        return flops / 1e9;
    }

    private static double inputProj(GroundingDinoConfig cfg, Geometry geo) {
        double d = cfg.transformer().dModel();
        double flops = 0;
        int backbone = cfg.swin().outIndices().size();
        for (int l = 0; l < geo.heights.length; l++) {
            double in = l < backbone ? cfg.swin().outChannels().get(l)
                    : l == backbone ? cfg.swin().outChannels().get(backbone - 1) : d;
            double kernel = l < backbone ? 1 : 9;
            flops += 2.0 * geo.heights[l] * geo.widths[l] * in * d * kernel;
        }
        return flops / 1e9;
    }

    private static double fusion(double s, double n, double d, double e, double heads) {
        // as BiMultiHeadAttention evaluates it: text projections, maps through the text, then image-sized products
        double text = 2 * 2 * n * d * e + 2 * n * e * d * 2 + 2 * n * e * d; // l_proj, values_l_proj, maps, out_l
        double image = 3 * 2 * s * d * heads * n; // scores, P v, P (V W)
        return text + image;
    }

    private static double textEnhancer(double n, double d, double ffn) {
        return 2 * 4 * n * d * d + 2 * 2 * n * n * d + 2 * 2 * n * d * ffn;
    }

    private static double deformable(double queries, double values, double d, int heads, int levels, int points) {
        double samples = queries * heads * levels * points;
        return 2 * values * d * d // value_proj
                + 2 * queries * d * heads * levels * points * 3 // sampling_offsets (2) + attention_weights (1)
                + samples * 4 * 2 * (d / heads) // bilinear corners x head width
                + 2 * queries * d * d; // output_proj
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Token grid of the transformer's feature levels for one input size. */
    private static final class Geometry {
        final int[] heights;
        final int[] widths;
        final double tokens;

        Geometry(GroundingDinoConfig cfg, int height, int width) {
            SwinConfig c = cfg.swin();
            int levels = cfg.transformer().numFeatureLevels();
            heights = new int[levels];
            widths = new int[levels];
            int h = ceilDiv(height, c.patchSize());
            int w = ceilDiv(width, c.patchSize());
            int level = 0;
            for (int i = 0; i < c.numLayers() && level < c.outIndices().size(); i++) {
                if (c.outIndices().contains(i)) {
                    heights[level] = h;
                    widths[level] = w;
                    level++;
                }
                h = (h + 1) / 2;
                w = (w + 1) / 2;
            }
            for (int l = level; l < levels; l++) {
                heights[l] = ceilDiv(heights[l - 1], 2); // 3x3 stride-2 conv, padding 1
                widths[l] = ceilDiv(widths[l - 1], 2);
            }
            double t = 0;
            for (int l = 0; l < levels; l++) {
                t += (double) heights[l] * widths[l];
            }
            tokens = t;
        }
    }
}
