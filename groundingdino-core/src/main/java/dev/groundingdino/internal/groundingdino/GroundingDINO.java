package dev.groundingdino.internal.groundingdino;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.group_norm;

import dev.groundingdino.internal.backbone.Joiner;
import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.backbone.PositionEmbeddingSineHW;
import dev.groundingdino.internal.bert.TextEncoder;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.transformer.ContrastiveEmbed;
import dev.groundingdino.internal.transformer.MLP;
import dev.groundingdino.internal.transformer.Trace;
import dev.groundingdino.internal.transformer.Transformer;
import dev.groundingdino.internal.transformer.TransformerUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
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
 * one shared head is loaded once, from {@code bbox_embed.0}). The class holds no native memory of its
 * own: the tensors belong to whoever owns the parameter source (see {@link LoadedGroundingDino}). Forward passes
 * run in the caller's inference scope and are thread-safe (the weights are only read).
 */
public final class GroundingDINO {
    private static final int GROUP_NORM_GROUPS = 32;
    private static final double GROUP_NORM_EPS = 1e-5;

    /**
     * The detector outputs.
     *
     * @param predLogits (B, Q, 256) contrastive logits, -inf beyond each caption's tokens
     * @param predBoxes (B, Q, 4) boxes (cx, cy, w, h) normalised to each image's own (unpadded) size
     */
    public record Output(Tensor predLogits, Tensor predBoxes) {}

    private final GroundingDinoConfig cfg;
    private final Transformer transformer;
    private final TextEncoder textEncoder;
    private final InputProj[] inputProj;
    private final Joiner backbone;
    private final MLP[] bboxEmbed;
    private final ContrastiveEmbed classEmbed = new ContrastiveEmbed();

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

    /**
     * Builds the model, declaring (in declare mode) or loading every parameter.
     *
     * @param cfg the variant
     * @param p the root of the parameter tree (checkpoint keys without prefix)
     */
    public GroundingDINO(GroundingDinoConfig cfg, ParamTree p) {
        this.cfg = cfg;
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
                PositionEmbeddingSineHW.groundingDino(d, cfg.peTemperatureH(), cfg.peTemperatureW()),
                p.child("backbone"));
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
        TextBatch.Tensors t = text.tensors();
        Tensor device = samples.tensors();
        Tensor inputIds = t.inputIds().to(device.device(), t.inputIds().scalar_type());
        Tensor tokenTypes = t.tokenTypeIds().to(device.device(), t.tokenTypeIds().scalar_type());
        Tensor tokenMask = t.textTokenMask().to(device.device(), t.textTokenMask().scalar_type());
        Tensor positionIds = t.positionIds().to(device.device(), t.positionIds().scalar_type());
        Tensor selfMask = t.textSelfAttentionMasks().to(device.device(), t.textSelfAttentionMasks().scalar_type());

        Tensor lastHidden;
        if (cfg.subSentencePresent()) {
            lastHidden = textEncoder.bert().forward(inputIds, tokenTypes, positionIds, selfMask); // (B, n, H_bert)
        } else {
            // plain tokenizer inputs: padding mask as keys, default positions 0..n-1
            long n = inputIds.size(1);
            Tensor keys = tokenMask.unsqueeze(1).expand(b, n, n); // (B, n, n)
            Tensor positions = arange(new Scalar((double) n),
                    new TensorOptions(ScalarType.Long).device(new DeviceOptional(device.device()))); // (n)
            Tensor positionsB = positions.unsqueeze(0).expand(b, n); // (B, n)
            lastHidden = textEncoder.bert().forward(inputIds, tokenTypes, positionsB, keys); // (B, n, H_bert)
        }
        Tensor encodedText = textEncoder.featMap(lastHidden); // (B, n, d)
        Trace.record(trace, "bert_last_hidden_state", lastHidden);
        Trace.record(trace, "encoded_text_in", encodedText);

        List<Joiner.Level> features = backbone.forward(samples);
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
        for (int l = features.size(); l < inputProj.length; l++) {
            Tensor input = l == features.size() ? features.get(features.size() - 1).features() : srcs.get(l - 1);
            Tensor src = inputProj[l].forward(input); // (B, d, H_l, W_l)
            Tensor mask = Joiner.interpolateMask(samples.mask(), src.size(2), src.size(3)); // (B, H_l, W_l)
            srcs.add(src);
            masks.add(mask);
            poss.add(backbone.positionEmbedding().forward(mask).to(src.scalar_type()));
        }
        for (int l = 0; l < srcs.size(); l++) {
            Trace.record(trace, "src" + l, srcs.get(l));
            Trace.record(trace, "pos" + l, poss.get(l));
        }

        Transformer.Output out = transformer.forward(srcs, masks, poss,
                new Transformer.TextFeatures(encodedText, tokenMask, positionIds, selfMask), bboxEmbed, trace);
        int last = out.hs().size() - 1;
        Tensor hs = out.hs().get(last); // (B, Q, d)
        Tensor predBoxes = bboxEmbed[last].forward(hs)
                .add(TransformerUtils.inverseSigmoid(out.references().get(last)))
                .sigmoid(); // (B, Q, 4)
        Tensor predLogits = classEmbed.forward(hs, out.memoryText(), tokenMask); // (B, Q, 256)
        Trace.record(trace, "pred_logits", predLogits);
        Trace.record(trace, "pred_boxes", predBoxes);
        return new Output(predLogits, predBoxes);
    }
}
