package dev.groundingdino.sam.internal.decoder;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.conv_transpose2d;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.repeat_interleave;
import static org.bytedeco.pytorch.global.torch.stack;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.sam.internal.common.LayerNorm2d;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;

/**
 * {@code segment_anything/modeling/mask_decoder.py::MaskDecoder}: runs the {@link TwoWayTransformer} on
 * {@code [iou_token, mask_tokens, sparse prompts]} against the (repeated) image embedding plus the dense prompt,
 * upscales the image tokens 4x ({@code output_upscaling}: ConvTranspose2d, LayerNorm2d, GELU, ConvTranspose2d,
 * GELU), and forms each mask as the dot product of its hypernetwork output ({@code output_hypernetworks_mlps.i})
 * with the upscaled features; the IoU token feeds {@code iou_prediction_head}. {@code multimask_output} selects
 * masks 1..3, otherwise mask 0.
 */
public final class MaskDecoder {
    /** Low-resolution mask logits (B, C, 256, 256) and predicted IoUs (B, C). */
    public record Output(Tensor masks, Tensor iouPredictions) {}

    private final SamConfig cfg;
    private final TwoWayTransformer transformer;
    private final Tensor iouToken;
    private final Tensor maskTokens;
    private final Tensor up0Weight;
    private final Tensor up0Bias;
    private final LayerNorm2d up1;
    private final Tensor up3Weight;
    private final Tensor up3Bias;
    private final List<MLP> outputHypernetworksMlps;
    private final MLP iouPredictionHead;

    /** Declares/loads every decoder tensor under {@code p} (the {@code mask_decoder} subtree). */
    public MaskDecoder(SamConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int dim = cfg.promptEmbedDim();
        int tokens = cfg.numMaskTokens();
        this.transformer = new TwoWayTransformer(cfg, p.child("transformer"));
        this.iouToken = p.child("iou_token").param("weight", 1, dim);
        this.maskTokens = p.child("mask_tokens").param("weight", tokens, dim);
        ParamTree up = p.child("output_upscaling");
        this.up0Weight = up.child(0).param("weight", dim, dim / 4, 2, 2);
        this.up0Bias = up.child(0).param("bias", dim / 4);
        this.up1 = new LayerNorm2d(up.child(1), dim / 4, SamConfig.LAYER_NORM_2D_EPS);
        this.up3Weight = up.child(3).param("weight", dim / 4, dim / 8, 2, 2);
        this.up3Bias = up.child(3).param("bias", dim / 8);
        List<MLP> mlps = new ArrayList<>();
        ParamTree hyper = p.child("output_hypernetworks_mlps");
        for (int i = 0; i < tokens; i++) {
            mlps.add(new MLP(hyper.child(i), dim, dim, dim / 8, 3));
        }
        this.outputHypernetworksMlps = List.copyOf(mlps);
        this.iouPredictionHead = new MLP(p.child("iou_prediction_head"), dim, cfg.iouHeadHiddenDim(), tokens,
                cfg.iouHeadDepth());
    }

    /**
     * {@code forward}: predicts masks for B prompts on one image.
     *
     * @param imageEmbeddings (1, 256, 64, 64), repeated once per prompt like the reference's
     *     {@code repeat_interleave}
     * @param imagePe (1, 256, 64, 64)
     * @param sparse (B, N, 256)
     * @param dense (B, 256, 64, 64)
     * @param multimaskOutput masks 1..3 if true, else mask 0
     */
    public Output forward(Tensor imageEmbeddings, Tensor imagePe, Tensor sparse, Tensor dense,
            boolean multimaskOutput) {
        Output all = predictMasks(imageEmbeddings, imagePe, sparse, dense);
        long start = multimaskOutput ? 1 : 0;
        long len = multimaskOutput ? cfg.numMaskTokens() - 1 : 1;
        return new Output(all.masks().narrow(1, start, len), all.iouPredictions().narrow(1, start, len));
    }

    /** {@code predict_masks}: every mask token, {@code (B, 4, 256, 256)} and {@code (B, 4)}. */
    public Output predictMasks(Tensor imageEmbeddings, Tensor imagePe, Tensor sparse, Tensor dense) {
        long b = sparse.size(0);
        Tensor outputTokens = cat(new TensorVector(iouToken, maskTokens), 0); // (1 + T, C)
        outputTokens = outputTokens.unsqueeze(0).expand(b, -1, -1); // (B, 1 + T, C)
        Tensor tokens = cat(new TensorVector(outputTokens, sparse), 1); // (B, 1 + T + N, C)

        Tensor src = repeat_interleave(imageEmbeddings, b, new LongOptional(0), new LongOptional()); // (B, C, h, w)
        src = src.add(dense);
        Tensor posSrc = repeat_interleave(imagePe, b, new LongOptional(0), new LongOptional()); // (B, C, h, w)
        long c = src.size(1);
        long h = src.size(2);
        long w = src.size(3);

        TwoWayAttentionBlock.Output hs = transformer.forward(src, posSrc, tokens);
        int numMaskTokens = cfg.numMaskTokens();
        Tensor iouTokenOut = hs.queries().select(1, 0); // (B, C)
        Tensor maskTokensOut = hs.queries().narrow(1, 1, numMaskTokens); // (B, T, C)

        Tensor image = hs.keys().transpose(1, 2).reshape(b, c, h, w); // (B, C, h, w)
        Tensor upscaled = upscale(image); // (B, C/8, 4h, 4w)
        TensorVector hyperIn = new TensorVector();
        for (int i = 0; i < numMaskTokens; i++) {
            hyperIn.push_back(outputHypernetworksMlps.get(i).forward(maskTokensOut.select(1, i))); // (B, C/8)
        }
        Tensor hyper = stack(hyperIn, 1); // (B, T, C/8)
        long uc = upscaled.size(1);
        long uh = upscaled.size(2);
        long uw = upscaled.size(3);
        Tensor masks = matmul(hyper, upscaled.view(b, uc, uh * uw)).view(b, -1, uh, uw); // (B, T, 4h, 4w)
        Tensor iouPred = iouPredictionHead.forward(iouTokenOut); // (B, T)
        return new Output(masks, iouPred);
    }

    /** {@code output_upscaling}: {@code (B, C, h, w) -> (B, C/8, 4h, 4w)}. */
    private Tensor upscale(Tensor x) {
        long[] stride = {2, 2};
        long[] zero = {0, 0};
        long[] one = {1, 1};
        Tensor y = conv_transpose2d(x, up0Weight, new TensorOptional(up0Bias), stride, zero, zero, 1, one); // (B, C/4, 2h, 2w)
        y = gelu(up1.forward(y));
        y = conv_transpose2d(y, up3Weight, new TensorOptional(up3Bias), stride, zero, zero, 1, one); // (B, C/8, 4h, 4w)
        return gelu(y);
    }
}
