package dev.groundingdino.internal.groundingdino;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.group_norm;

import dev.groundingdino.internal.backbone.Joiner;
import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.backbone.PositionEmbeddingSineHW;
import dev.groundingdino.internal.bert.TextEncoder;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.nn.MLP;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.internal.runtime.TensorCache;
import dev.groundingdino.internal.transformer.ContrastiveEmbed;
import dev.groundingdino.internal.transformer.Trace;
import dev.groundingdino.internal.transformer.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino.py::GroundingDINO (inference): text side (BERT on the sub-sentence masks, {@code feat_map}),
 * Swin backbone with sine position embeddings, {@code input_proj} (1x1 conv + GroupNorm(32) per backbone level, a
 * 3x3 stride-2 conv + GroupNorm on the RAW last backbone feature for each extra level, whose mask is the image mask
 * resized with nearest interpolation and whose position embedding is computed on it), the deformable
 * {@link Transformer}, and the heads on the last decoder layer: {@code pred_boxes = sigmoid(bbox_embed(hs) +
 * inverse_sigmoid(ref))} with the reference boxes that entered that layer, {@code pred_logits =
 * ContrastiveEmbed(hs, memory_text)} padded with -inf to 256 text slots.
 *
 * <p>Parameters are found by the reference's state_dict names ({@code transformer.*}, {@code bert.*},
 * {@code feat_map.*}, {@code input_proj.{l}.{0,1}.*}, {@code backbone.0.*}, {@code bbox_embed.{i}.*} and, in
 * declare mode, the alias {@code transformer.decoder.bbox_embed.{i}.*}; with {@code dec_pred_bbox_embed_share} the
 * one shared head is loaded once, from {@code bbox_embed.0}). The weights belong to whoever owns the parameter
 * source (see {@link LoadedGroundingDino}); the model itself only owns two small bounded caches, released by
 * {@link #clearCaches()}: the BERT encodings of recent captions (a repeated prompt skips BERT) and the per-size
 * tensors of recent input sizes (Swin masks and window permutations, position encodings). Forward passes run in the
 * caller's inference scope and are thread-safe (the weights are only read; the caches are synchronised).
 *
 * <p>The forward pass is also available stage by stage ({@link #encodeText}, {@link #encodeImages},
 * {@link #forward(Features, Transformer.TextFeatures, Trace)}), e.g. to benchmark or to reuse a text encoding.
 */
public final class GroundingDINO {
    private static final int GROUP_NORM_GROUPS = 32;
    private static final double GROUP_NORM_EPS = 1e-5;
    /**
     * Captions whose BERT output is kept by default (per distinct token row; about 1 MB for a 256-token caption on
     * Swin-T's BERT-base, 0.8 MB of it BERT's last hidden state).
     */
    public static final int TEXT_CACHE_ENTRIES = 32;

    /**
     * The detector outputs.
     *
     * @param predLogits (B, Q, 256) contrastive logits, -inf beyond each caption's tokens
     * @param predBoxes (B, Q, 4) boxes (cx, cy, w, h) normalised to each image's own (unpadded) size
     */
    public record Output(Tensor predLogits, Tensor predBoxes) {}

    /**
     * The image side as the transformer consumes it: per feature level the projected features, the padding mask
     * and the position encoding.
     *
     * @param srcs per level (B, d, H_l, W_l)
     * @param masks per level (B, H_l, W_l) bool, true on padding
     * @param poss per level (B, d, H_l, W_l)
     * @param padded whether any mask entry is true (known on the host)
     */
    public record Features(List<Tensor> srcs, List<Tensor> masks, List<Tensor> poss, boolean padded) {
        Tensor[] tensors() {
            List<Tensor> all = new ArrayList<>(srcs);
            all.addAll(masks);
            all.addAll(poss);
            return all.toArray(new Tensor[0]);
        }
    }

    private final GroundingDinoConfig cfg;
    private final Transformer transformer;
    private final TextEncoder textEncoder;
    private final InputProj[] inputProj;
    private final Joiner backbone;
    private final MLP[] bboxEmbed;
    private final ContrastiveEmbed[] classEmbed; // one per decoder layer (parameter-free in the reference)
    private final TensorCache textCache = new TensorCache(TEXT_CACHE_ENTRIES);
    private final Tensor pixelMean; // (3, 1, 1) float32 on the model's device; null in declare mode
    private final Tensor pixelStd;
    private final TensorCache geometryCache;

    /** One {@code input_proj.{l}}: {@code Sequential(Conv2d, GroupNorm(32, d))}. */
    private record InputProj(Tensor convWeight, Tensor convBias, Tensor normWeight, Tensor normBias, long stride,
            long padding) {
        static InputProj of(ParamTree p, int in, int out, int kernel, long stride, long padding) {
            ParamTree conv = p.child(0);
            ParamTree norm = p.child(1);
            return new InputProj(conv.param("weight", out, in, kernel, kernel), conv.param("bias", out),
                    norm.param("weight", out), norm.param("bias", out), stride, padding);
        }

        Tensor forward(Tensor x) {
            Tensor y = conv2d(x, convWeight, new TensorOptional(convBias), new long[] {stride, stride},
                    new long[] {padding, padding}, new long[] {1, 1}, 1); // (B, d, H', W')
            return group_norm(y, GROUP_NORM_GROUPS, new TensorOptional(normWeight), new TensorOptional(normBias),
                    GROUP_NORM_EPS, false);
        }
    }

    /** One caption row of a {@link TextBatch} (cache key of its BERT output). */
    private record TextRow(String mode, int length, List<Long> ids, List<Long> positions, String selfMask,
            String device) {}

    /**
     * Builds the model, declaring (in declare mode) or loading every parameter.
     *
     * @param cfg the variant
     * @param p the root of the parameter tree (checkpoint keys without prefix)
     */
    public GroundingDINO(GroundingDinoConfig cfg, ParamTree p) {
        this.cfg = cfg;
        this.geometryCache = p.sizeCache();
        this.pixelMean = p.placement() == null ? null : p.constant(() -> p.placement().to(
                HostTensors.fromFloats(GroundingDinoTransform.mean(), 3, 1, 1), ScalarType.Float)); // (3, 1, 1)
        this.pixelStd = p.placement() == null ? null : p.constant(() -> p.placement().to(
                HostTensors.fromFloats(GroundingDinoTransform.std(), 3, 1, 1), ScalarType.Float)); // (3, 1, 1)
        int d = cfg.transformer().dModel();
        this.transformer = new Transformer(cfg.transformer(), p.child("transformer"));
        this.textEncoder = new TextEncoder(cfg.bert(), d, p);
        List<Integer> channels = cfg.swin().outChannels();
        int levels = cfg.transformer().numFeatureLevels();
        this.inputProj = new InputProj[levels];
        ParamTree ip = p.child("input_proj");
        for (int l = 0; l < channels.size(); l++) {
            inputProj[l] = InputProj.of(ip.child(l), channels.get(l), d, 1, 1, 0);
        }
        int in = channels.get(channels.size() - 1);
        for (int l = channels.size(); l < levels; l++) {
            inputProj[l] = InputProj.of(ip.child(l), in, d, 3, 2, 1);
            in = d;
        }
        this.backbone = new Joiner(cfg.swin(),
                PositionEmbeddingSineHW.groundingDino(d, cfg.peTemperatureH(), cfg.peTemperatureW()).withConstants(p),
                p.child("backbone"), geometryCache);
        this.classEmbed = new ContrastiveEmbed[cfg.transformer().decLayers()];
        for (int i = 0; i < classEmbed.length; i++) {
            classEmbed[i] = ContrastiveEmbed.of(cfg.transformer(), p.child("class_embed").child(i));
        }
        this.bboxEmbed = new MLP[cfg.transformer().decLayers()];
        ParamTree bp = p.child("bbox_embed");
        for (int i = 0; i < bboxEmbed.length; i++) {
            if (i > 0 && cfg.decPredBboxEmbedShare() && !p.declaring()) {
                bboxEmbed[i] = bboxEmbed[0]; // one shared module: loaded once
            } else {
                bboxEmbed[i] = new MLP(d, d, 4, 3, bp.child(i));
            }
        }
    }

    /** Every parameter name and shape of {@code cfg}, in the reference's state_dict order. */
    public static Map<String, long[]> declaredParameters(GroundingDinoConfig cfg) {
        ParamTree p = ParamTree.declare();
        new GroundingDINO(cfg, p);
        return p.declared();
    }

    public GroundingDinoConfig config() {
        return cfg;
    }

    /** The deformable transformer (for stage-by-stage use of {@link Transformer#encode} and friends). */
    public Transformer transformer() {
        return transformer;
    }

    /** Releases the cached text encodings and per-size tensors (the model stays usable). Idempotent. */
    public void clearCaches() {
        textCache.clear();
        geometryCache.clear();
    }

    /**
     * Keeps the text encodings of at most {@code entries} distinct captions (0: none), dropping the least recently
     * used; set once when the model is loaded.
     */
    public void setTextCacheCapacity(int entries) {
        textCache.setCapacity(entries);
    }

    /** Captions whose text encoding is kept at most. */
    public int textCacheCapacity() {
        return textCache.capacity();
    }

    /** Entries in the text cache (distinct caption rows) and in the per-size cache, for tests and monitoring. */
    public int[] cacheSizes() {
        return new int[] {textCache.size(), geometryCache.size()};
    }

    /**
     * {@code ToTensor} + {@code Normalize} of a resized image on the model's device, in torch's float32 op order
     * ({@code x / 255}, {@code - mean}, {@code / std}): bit-identical to {@link GroundingDinoTransform#normalize}.
     *
     * @param hwc (H, W, 3) uint8 RGB (on any device; moved to the model's)
     * @return (3, H, W) float32 on the model's device
     */
    public Tensor normalizeImage(Tensor hwc) {
        Tensor x = hwc.to(pixelMean.device(), ScalarType.Byte).permute(2, 0, 1) // (3, H, W)
                .to(ScalarType.Float).div(new Scalar(255.0)); // (3, H, W)
        return x.sub(pixelMean).div(pixelStd).contiguous(); // (3, H, W)
    }

    /**
     * Forward pass on images of any sizes ({@code nested_tensor_from_tensor_list}: zero-padded bottom-right to the
     * largest height and width, mask true on the padding).
     *
     * @param images normalised images, each (3, H_i, W_i)
     * @param text the captions, one row per image
     * @param trace receives the intermediates, or null
     */
    public Output forward(List<Tensor> images, TextBatch text, Trace trace) {
        return forward(NestedTensor.fromTensorList(images), text, trace);
    }

    /**
     * Forward pass on a padded batch.
     *
     * @param samples normalised images (B, 3, H, W) padded bottom-right, mask true on padding
     * @param text the captions, one row per image ({@link TextBatch#repeat} a single caption)
     * @param trace receives the intermediates (golden fingerprint names), or null
     * @return logits and boxes of the last decoder layer
     * @throws IllegalArgumentException if the text rows do not match the image batch
     */
    public Output forward(NestedTensor samples, TextBatch text, Trace trace) {
        long b = samples.tensors().size(0);
        if (text.batch() != b) {
            throw new IllegalArgumentException("got " + b + " images but " + text.batch()
                    + " caption rows; give one caption per image or one for all");
        }
        Transformer.TextFeatures textFeatures = encodeText(text, samples.tensors().device(), trace);
        Features features = encodeImages(samples, trace);
        return forward(features, textFeatures, trace);
    }

    /**
     * The text side: BERT on every caption row, then {@code feat_map}. Each distinct row is computed once and kept
     * on the model's device with its masks and position ids (a repeated prompt moves nothing to the device and skips
     * BERT).
     *
     * @param text the captions, one row per image
     * @param device where the model's weights live
     * @param trace receives {@code bert_last_hidden_state} and {@code encoded_text_in}, or null
     */
    public Transformer.TextFeatures encodeText(TextBatch captions, Device device, Trace trace) {
        TextBatch text = captions.withSpecialTokenMasks(cfg.specialTokenMasks()); // this model's mask derivation
        Tensor[] rows = textRows(text, device); // last hidden, encoded text, token mask, position ids, self mask
        Trace.record(trace, "bert_last_hidden_state", rows[0]);
        Trace.record(trace, "encoded_text_in", rows[1]);
        return new Transformer.TextFeatures(rows[1], rows[2], rows[3], rows[4]);
    }

    /**
     * Per row of the batch (each distinct row computed once and cached on {@code device}): BERT's last hidden state
     * (B, n, H_bert), {@code feat_map} of it (B, n, d), the token mask (B, n), the position ids (B, n) and the
     * self-attention mask (B, n, n).
     */
    private Tensor[] textRows(TextBatch text, Device device) {
        int b = text.batch();
        int n = text.length();
        long[] ids = text.inputIds();
        long[] positions = text.positionIds();
        long[] attention = text.attentionMask();
        boolean[] selfMask = text.selfAttentionMask();
        String deviceName = device.str().getString();
        String mode = cfg.subSentencePresent() ? "sub-sentence" : "padding";
        List<TextRow> keys = new ArrayList<>(b);
        Map<TextRow, Integer> firstRow = new LinkedHashMap<>();
        for (int i = 0; i < b; i++) {
            List<Long> rowIds = Arrays.stream(ids, i * n, (i + 1) * n).boxed().toList();
            TextRow key;
            if (cfg.subSentencePresent()) {
                StringBuilder mask = new StringBuilder(n * n);
                for (int k = i * n * n; k < (i + 1) * n * n; k++) {
                    mask.append(selfMask[k] ? '1' : '0');
                }
                key = new TextRow(mode, n, rowIds, Arrays.stream(positions, i * n, (i + 1) * n).boxed().toList(),
                        mask.toString(), deviceName);
            } else {
                StringBuilder mask = new StringBuilder(n);
                for (int k = i * n; k < (i + 1) * n; k++) {
                    mask.append(attention[k] != 0 ? '1' : '0');
                }
                key = new TextRow(mode, n, rowIds, List.of(), mask.toString(), deviceName);
            }
            keys.add(key);
            firstRow.putIfAbsent(key, i);
        }
        TextBatch.Tensors[] host = new TextBatch.Tensors[1]; // built on the first miss only
        Map<TextRow, Tensor[]> rows = new LinkedHashMap<>();
        for (Map.Entry<TextRow, Integer> e : firstRow.entrySet()) {
            int row = e.getValue();
            rows.put(e.getKey(), textCache.get(e.getKey(), () -> {
                if (host[0] == null) {
                    host[0] = text.tensors();
                }
                return textRow(host[0], row, device);
            }));
        }
        if (b == 1) {
            return rows.get(keys.get(0));
        }
        Tensor[] out = new Tensor[5];
        for (int k = 0; k < out.length; k++) {
            TensorVector all = new TensorVector();
            for (TextRow key : keys) {
                all.push_back(rows.get(key)[k]);
            }
            out[k] = cat(all, 0); // (B, ...)
        }
        return out;
    }

    /** Row {@code row} of the batch on {@code device}: BERT, {@code feat_map}, token mask, positions, self mask. */
    private Tensor[] textRow(TextBatch.Tensors t, int row, Device device) {
        Tensor tokenMask = t.textTokenMask().narrow(0, row, 1).to(device, ScalarType.Bool); // (1, n)
        Tensor positionIds = t.positionIds().narrow(0, row, 1).to(device, ScalarType.Long); // (1, n)
        Tensor selfMask = t.textSelfAttentionMasks().narrow(0, row, 1).to(device, ScalarType.Bool); // (1, n, n)
        Tensor lastHidden = bert(t, row, device); // (1, n, H_bert)
        return new Tensor[] {lastHidden, textEncoder.featMap(lastHidden), tokenMask, positionIds, selfMask};
    }

    /** BERT on row {@code row} of the batch: (1, n, H_bert). */
    private Tensor bert(TextBatch.Tensors t, int row, Device device) {
        Tensor inputIds = t.inputIds().narrow(0, row, 1).to(device, t.inputIds().scalar_type()); // (1, n)
        Tensor tokenTypes = t.tokenTypeIds().narrow(0, row, 1).to(device, t.tokenTypeIds().scalar_type()); // (1, n)
        if (cfg.subSentencePresent()) {
            Tensor positionIds = t.positionIds().narrow(0, row, 1).to(device, t.positionIds().scalar_type());
            Tensor selfMask = t.textSelfAttentionMasks().narrow(0, row, 1)
                    .to(device, t.textSelfAttentionMasks().scalar_type()); // (1, n, n)
            return textEncoder.bert().forward(inputIds, tokenTypes, positionIds, selfMask); // (1, n, H_bert)
        }
        // plain tokenizer inputs: padding mask as keys, default positions 0..n-1
        long n = inputIds.size(1);
        Tensor tokenMask = t.textTokenMask().narrow(0, row, 1).to(device, t.textTokenMask().scalar_type()); // (1, n)
        Tensor keys = tokenMask.unsqueeze(1).expand(1, n, n); // (1, n, n)
        Tensor positions = arange(new Scalar((double) n),
                new TensorOptions(ScalarType.Long).device(new DeviceOptional(device))).unsqueeze(0); // (1, n)
        return textEncoder.bert().forward(inputIds, tokenTypes, positions, keys); // (1, n, H_bert)
    }

    /**
     * The image side: Swin backbone, position encodings, {@code input_proj} and the extra levels. Without a trace,
     * the backbone's outputs are freed once projected.
     *
     * @param samples normalised images (B, 3, H, W) padded bottom-right, mask true on padding
     * @param trace receives {@code backbone_level*}, {@code backbone_mask*}, {@code src*}, {@code pos*}, or null
     */
    public Features encodeImages(NestedTensor samples, Trace trace) {
        Tensor images = samples.tensors();
        Tensor weight = inputProj[0].convWeight();
        if (images.scalar_type().intern() != weight.scalar_type().intern()) {
            images = images.to(weight.scalar_type()); // the model's dtype (bfloat16 weights: bfloat16 images)
        }
        NestedTensor input = new NestedTensor(images, samples.mask(), samples.padded());
        return Scopes.keepUnless(Trace.keeps(trace), () -> {
            List<Joiner.Level> features = backbone.forward(input);
            List<Tensor> srcs = new ArrayList<>();
            List<Tensor> masks = new ArrayList<>();
            List<Tensor> poss = new ArrayList<>();
            for (int l = 0; l < features.size(); l++) {
                Joiner.Level level = features.get(l);
                Trace.record(trace, "backbone_level" + l, level.features());
                Trace.record(trace, "backbone_mask" + l, level.mask());
                srcs.add(inputProj[l].forward(level.features()));
                masks.add(level.mask());
                poss.add(level.pos());
            }
            boolean padded = input.padded();
            for (int l = features.size(); l < inputProj.length; l++) {
                Tensor in = l == features.size() ? features.get(features.size() - 1).features() : srcs.get(l - 1);
                Tensor src = inputProj[l].forward(in); // (B, d, H_l, W_l)
                Tensor mask = Joiner.interpolateMask(input.mask(), src.size(2), src.size(3)); // (B, H_l, W_l)
                srcs.add(src);
                masks.add(mask);
                poss.add(backbone.position(mask, padded, src));
            }
            for (int l = 0; l < srcs.size(); l++) {
                Trace.record(trace, "src" + l, srcs.get(l));
                Trace.record(trace, "pos" + l, poss.get(l));
            }
            return new Features(srcs, masks, poss, padded);
        }, Features::tensors);
    }

    /**
     * The transformer and the detection heads on encoded images and text.
     *
     * @param features the image side ({@link #encodeImages})
     * @param text the text side ({@link #encodeText})
     * @param trace receives the transformer's intermediates, {@code pred_logits} and {@code pred_boxes}, or null
     */
    public Output forward(Features features, Transformer.TextFeatures text, Trace trace) {
        Transformer.Output out = transformer.forward(features.srcs(), features.masks(), features.poss(),
                features.padded(), text, bboxEmbed, trace);
        return heads(out, text, trace);
    }

    /**
     * The detection heads on the last decoder layer.
     *
     * @param out the transformer's outputs
     * @param text the text side (its token mask)
     * @param trace receives {@code pred_logits} and {@code pred_boxes}, or null
     */
    public Output heads(Transformer.Output out, Transformer.TextFeatures text, Trace trace) {
        int last = out.hs().size() - 1;
        Tensor hs = out.hs().get(last); // (B, Q, d)
        Tensor predBoxes = bboxEmbed[last].forward(hs)
                .add(cfg.transformer().boxLogit().apply(out.references().get(last)))
                .sigmoid(); // (B, Q, 4)
        Tensor predLogits = classEmbed[last].forward(hs, out.memoryText(), text.textTokenMask()); // (B, Q, 256)
        Trace.record(trace, "pred_logits", predLogits);
        Trace.record(trace, "pred_boxes", predBoxes);
        return new Output(predLogits, predBoxes);
    }

    /** The detector's box heads ({@code bbox_embed}), one per decoder layer. */
    public MLP[] bboxEmbed() {
        return bboxEmbed.clone();
    }
}
