package dev.groundingdino.sam.internal.sam2.sam;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.conv_transpose2d;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.ones_like;
import static org.bytedeco.pytorch.global.torch.repeat_interleave;
import static org.bytedeco.pytorch.global.torch.stack;
import static org.bytedeco.pytorch.global.torch.where;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.common.LayerNorm2d;
import dev.groundingdino.sam.internal.common.Ops;
import dev.groundingdino.sam.internal.sam2.layers.MLP;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorIndexVector;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code sam2/modeling/sam/mask_decoder.py::MaskDecoder} as SAM 2.1 builds it ({@code use_high_res_features},
 * {@code iou_prediction_use_sigmoid}, {@code pred_obj_scores} with an MLP head): runs the {@link TwoWayTransformer}
 * on {@code [obj_score_token, iou_token, mask_tokens, sparse prompts]} against the image embedding plus the dense
 * prompt, upscales the image tokens 4x with the high-resolution features added after each transposed convolution
 * ({@code act1(ln1(dc1(src) + feat_s1))}, {@code act2(dc2(.) + feat_s0)}), and forms each mask as the dot product of
 * its hypernetwork output ({@code output_hypernetworks_mlps.i}) with the upscaled features. {@code conv_s0/conv_s1}
 * project the backbone's high-resolution levels once per image ({@code SAM2Base.forward_image}).
 *
 * <p>Mask selection ({@code forward}): masks 1..3 for multimask output; otherwise mask 0, or, with
 * {@code dynamic_multimask_via_stability}, mask 0 unless its stability score (the IoU of its logits thresholded at
 * +-0.05) is below 0.98, in which case the multimask output with the highest predicted IoU.
 */
public final class MaskDecoder {
    /** Mask logits (B, C, 4h, 4w), predicted IoUs (B, C) and object-score logits (B, 1). */
    public record Output(Tensor masks, Tensor iouPredictions, Tensor objectScoreLogits) {}

    private final TwoWayTransformer transformer;
    private final int numMaskTokens;
    private final Tensor iouToken;
    private final Tensor maskTokens;
    private final Tensor objScoreToken;
    private final Tensor up0Weight;
    private final Tensor up0Bias;
    private final LayerNorm2d up1;
    private final Tensor up3Weight;
    private final Tensor up3Bias;
    private final Tensor convS0Weight;
    private final Tensor convS0Bias;
    private final Tensor convS1Weight;
    private final Tensor convS1Bias;
    private final List<MLP> outputHypernetworksMlps;
    private final MLP iouPredictionHead;
    private final MLP predObjScoreHead;
    private final boolean dynamicMultimaskViaStability;
    private final double stabilityDelta;
    private final double stabilityThresh;

    /** Declares/loads every decoder tensor under {@code p} ({@code sam_mask_decoder}), in state_dict order. */
    public MaskDecoder(ParamTree p, TwoWayTransformer.Spec spec, int numMultimaskOutputs, int iouHeadDepth,
            int iouHeadHiddenDim, boolean dynamicMultimaskViaStability, double stabilityDelta,
            double stabilityThresh) {
        int dim = spec.dim();
        this.numMaskTokens = numMultimaskOutputs + 1;
        this.transformer = new TwoWayTransformer(p.child("transformer"), spec.depth(), dim, spec.numHeads(),
                spec.mlpDim(), spec.downsampleRate());
        this.iouToken = p.child("iou_token").param("weight", 1, dim);
        this.maskTokens = p.child("mask_tokens").param("weight", numMaskTokens, dim);
        this.objScoreToken = p.child("obj_score_token").param("weight", 1, dim);
        ParamTree up = p.child("output_upscaling");
        this.up0Weight = up.child(0).param("weight", dim, dim / 4, 2, 2);
        this.up0Bias = up.child(0).param("bias", dim / 4);
        this.up1 = new LayerNorm2d(up.child(1), dim / 4, 1e-6);
        this.up3Weight = up.child(3).param("weight", dim / 4, dim / 8, 2, 2);
        this.up3Bias = up.child(3).param("bias", dim / 8);
        this.convS0Weight = p.child("conv_s0").param("weight", dim / 8, dim, 1, 1);
        this.convS0Bias = p.child("conv_s0").param("bias", dim / 8);
        this.convS1Weight = p.child("conv_s1").param("weight", dim / 4, dim, 1, 1);
        this.convS1Bias = p.child("conv_s1").param("bias", dim / 4);
        List<MLP> mlps = new ArrayList<>();
        ParamTree hyper = p.child("output_hypernetworks_mlps");
        for (int i = 0; i < numMaskTokens; i++) {
            mlps.add(new MLP(hyper.child(i), dim, dim, dim / 8, 3));
        }
        this.outputHypernetworksMlps = List.copyOf(mlps);
        this.iouPredictionHead = new MLP(p.child("iou_prediction_head"), dim, iouHeadHiddenDim, numMaskTokens,
                iouHeadDepth, MLP.Activation.RELU, true);
        this.predObjScoreHead = new MLP(p.child("pred_obj_score_head"), dim, dim, 1, 3);
        this.dynamicMultimaskViaStability = dynamicMultimaskViaStability;
        this.stabilityDelta = stabilityDelta;
        this.stabilityThresh = stabilityThresh;
    }

    /** {@code conv_s0}: the 256x256 FPN level {@code (B, 256, 256, 256) -> (B, 32, 256, 256)}. */
    public Tensor convS0(Tensor x) {
        return conv1x1(x, convS0Weight, convS0Bias);
    }

    /** {@code conv_s1}: the 128x128 FPN level {@code (B, 256, 128, 128) -> (B, 64, 128, 128)}. */
    public Tensor convS1(Tensor x) {
        return conv1x1(x, convS1Weight, convS1Bias);
    }

    private static Tensor conv1x1(Tensor x, Tensor w, Tensor b) {
        return conv2d(x, w, new TensorOptional(b), new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, 1);
    }

    /**
     * {@code forward}: predicts masks for B prompts on one image.
     *
     * @param imageEmbeddings (1, 256, 64, 64)
     * @param imagePe (1, 256, 64, 64)
     * @param sparse (B, N, 256)
     * @param dense (B, 256, 64, 64) or (1, ...)
     * @param multimaskOutput masks 1..3 if true, else one mask per prompt
     * @param repeatImage repeat the image embedding per prompt ({@code repeat_image}, the batched mode)
     * @param featS0 (1, 32, 256, 256) projected high-resolution level 0
     * @param featS1 (1, 64, 128, 128) projected high-resolution level 1
     */
    public Output forward(Tensor imageEmbeddings, Tensor imagePe, Tensor sparse, Tensor dense,
            boolean multimaskOutput, boolean repeatImage, Tensor featS0, Tensor featS1) {
        Output all = predictMasks(imageEmbeddings, imagePe, sparse, dense, repeatImage, featS0, featS1);
        if (multimaskOutput) {
            return new Output(all.masks().narrow(1, 1, numMaskTokens - 1),
                    all.iouPredictions().narrow(1, 1, numMaskTokens - 1), all.objectScoreLogits());
        }
        if (dynamicMultimaskViaStability) {
            return dynamicMultimaskViaStability(all);
        }
        return new Output(all.masks().narrow(1, 0, 1), all.iouPredictions().narrow(1, 0, 1),
                all.objectScoreLogits());
    }

    /** {@code predict_masks}: every mask token, {@code (B, 4, 256, 256)}, {@code (B, 4)}, {@code (B, 1)}. */
    public Output predictMasks(Tensor imageEmbeddings, Tensor imagePe, Tensor sparse, Tensor dense,
            boolean repeatImage, Tensor featS0, Tensor featS1) {
        long b = sparse.size(0);
        Tensor outputTokens = cat(new TensorVector(objScoreToken, iouToken, maskTokens), 0); // (2 + T, C)
        outputTokens = outputTokens.unsqueeze(0).expand(b, -1, -1); // (B, 2 + T, C)
        Tensor tokens = cat(new TensorVector(outputTokens, sparse), 1); // (B, 2 + T + N, C)

        Tensor src;
        if (repeatImage) {
            src = repeat_interleave(imageEmbeddings, b, new LongOptional(0), new LongOptional()); // (B, C, h, w)
        } else {
            if (imageEmbeddings.size(0) != b) {
                throw new IllegalArgumentException("without repeat_image the image batch " + imageEmbeddings.size(0)
                        + " must equal the prompt batch " + b);
            }
            src = imageEmbeddings;
        }
        src = src.add(dense); // (B, C, h, w)
        Tensor posSrc = repeat_interleave(imagePe, b, new LongOptional(0), new LongOptional()); // (B, C, h, w)
        long c = src.size(1);
        long h = src.size(2);
        long w = src.size(3);

        TwoWayAttentionBlock.Output hs = transformer.forward(src, posSrc, tokens);
        Tensor iouTokenOut = hs.queries().select(1, 1); // (B, C)
        Tensor maskTokensOut = hs.queries().narrow(1, 2, numMaskTokens); // (B, T, C)

        Tensor image = hs.keys().transpose(1, 2).reshape(b, c, h, w); // (B, C, h, w)
        long[] stride = {2, 2};
        long[] zero = {0, 0};
        long[] one = {1, 1};
        Tensor up = conv_transpose2d(image, up0Weight, new TensorOptional(up0Bias), stride, zero, zero, 1,
                one); // (B, C/4, 2h, 2w)
        up = gelu(up1.forward(up.add(featS1)));
        up = conv_transpose2d(up, up3Weight, new TensorOptional(up3Bias), stride, zero, zero, 1,
                one); // (B, C/8, 4h, 4w)
        Tensor upscaled = gelu(up.add(featS0)); // (B, C/8, 4h, 4w)

        TensorVector hyperIn = new TensorVector();
        for (int i = 0; i < numMaskTokens; i++) {
            hyperIn.push_back(outputHypernetworksMlps.get(i).forward(maskTokensOut.select(1, i))); // (B, C/8)
        }
        Tensor hyper = stack(hyperIn, 1); // (B, T, C/8)
        long uc = upscaled.size(1);
        long uh = upscaled.size(2);
        long uw = upscaled.size(3);
        Tensor masks = matmul(hyper, upscaled.view(b, uc, uh * uw)).view(b, -1, uh, uw); // (B, T, 4h, 4w)
        Tensor iouPred = iouPredictionHead.forward(iouTokenOut); // (B, T), sigmoid'ed
        Tensor objectScore = predObjScoreHead.forward(hs.queries().select(1, 0)); // (B, 1)
        return new Output(masks, iouPred, objectScore);
    }

    /**
     * {@code _get_stability_scores}: {@code |logits > delta| / |logits > -delta|} per mask (1 where the union is
     * empty), {@code (B, 1, H, W) -> (B, 1)}.
     */
    Tensor stabilityScores(Tensor maskLogits) {
        Tensor flat = maskLogits.flatten(-2, -1); // (B, 1, HW)
        Tensor areaI = flat.gt(new Scalar(stabilityDelta)).sum(new long[] {-1}, false,
                new ScalarTypeOptional()).to(ScalarType.Float); // (B, 1)
        Tensor areaU = flat.gt(new Scalar(-stabilityDelta)).sum(new long[] {-1}, false,
                new ScalarTypeOptional()).to(ScalarType.Float); // (B, 1)
        return where(areaU.gt(new Scalar(0)), areaI.div(areaU), ones_like(areaU)); // (B, 1)
    }

    /** {@code _dynamic_multimask_via_stability}: mask 0, or the best multimask output where mask 0 is unstable. */
    Output dynamicMultimaskViaStability(Output all) {
        Tensor allMasks = all.masks(); // (B, T, H, W)
        Tensor allIou = all.iouPredictions(); // (B, T)
        long b = allMasks.size(0);
        Tensor multimaskLogits = allMasks.narrow(1, 1, numMaskTokens - 1); // (B, T-1, H, W)
        Tensor multimaskIou = allIou.narrow(1, 1, numMaskTokens - 1); // (B, T-1)
        Tensor best = multimaskIou.argmax(new LongOptional(-1), false); // (B)
        Tensor batch = arange(new Scalar(b), Ops.options(best, ScalarType.Long)); // (B)
        TensorIndexVector index = new TensorIndexVector();
        index.push_back(new org.bytedeco.pytorch.TensorIndex(batch));
        index.push_back(new org.bytedeco.pytorch.TensorIndex(best));
        Tensor bestLogits = multimaskLogits.index(index).unsqueeze(1); // (B, 1, H, W)
        Tensor bestIou = multimaskIou.index(index).unsqueeze(1); // (B, 1)

        Tensor singleLogits = allMasks.narrow(1, 0, 1); // (B, 1, H, W)
        Tensor singleIou = allIou.narrow(1, 0, 1); // (B, 1)
        Tensor isStable = stabilityScores(singleLogits).ge(new Scalar(stabilityThresh)); // (B, 1)
        Tensor logitsOut = where(isStable.unsqueeze(-1).unsqueeze(-1).expand_as(singleLogits), singleLogits,
                bestLogits); // (B, 1, H, W)
        Tensor iouOut = where(isStable.expand_as(singleIou), singleIou, bestIou); // (B, 1)
        return new Output(logitsOut, iouOut, all.objectScoreLogits());
    }
}
