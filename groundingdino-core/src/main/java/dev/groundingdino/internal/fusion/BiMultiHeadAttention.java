package dev.groundingdino.internal.fusion;

import static org.bytedeco.pytorch.global.torch.amax;
import static org.bytedeco.pytorch.global.torch.bmm;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.softmax;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * groundingdino/models/GroundingDINO/fuse_modules.py::BiMultiHeadAttention: image->text and text->image
 * attention sharing ONE score matrix.
 *
 * <p>Exactly as the reference (inference, dropout off):
 * <ol>
 *   <li>{@code q = v_proj(v) * head_dim^-0.5}, {@code k = l_proj(l)}, {@code A = q k^T} per head
 *       (B*heads, n_img, n_txt);</li>
 *   <li>{@code A = A - max(A)} with the max over the WHOLE tensor (all batch elements and heads), then clamp to
 *       [-50000, 50000];</li>
 *   <li>text->image: {@code At = A^T - rowmax(A^T)}, clamp again, image padding -> -inf, softmax over image
 *       tokens, times {@code values_v_proj(v)};</li>
 *   <li>image->text: text padding -> -inf on {@code A}, softmax over text tokens, times
 *       {@code values_l_proj(l)};</li>
 *   <li>heads concatenated, {@code out_v_proj} / {@code out_l_proj}.</li>
 * </ol>
 * Because of the global max in step 2 the batch elements are not fully independent: with extreme score ranges
 * (more than 50000 apart across the batch) the clamp flattens the attention of the element with the lower
 * scores, as in the reference.
 */
public final class BiMultiHeadAttention {
    private static final double CLAMP = 50000;

    private final BiAttentionConfig cfg;
    private final Tensor vProjWeight;
    private final Tensor vProjBias;
    private final Tensor lProjWeight;
    private final Tensor lProjBias;
    private final Tensor valuesVProjWeight;
    private final Tensor valuesVProjBias;
    private final Tensor valuesLProjWeight;
    private final Tensor valuesLProjBias;
    private final Tensor outVProjWeight;
    private final Tensor outVProjBias;
    private final Tensor outLProjWeight;
    private final Tensor outLProjBias;

    public BiMultiHeadAttention(BiAttentionConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int e = cfg.embedDim();
        this.vProjWeight = p.param("v_proj.weight", e, cfg.vDim());
        this.vProjBias = p.param("v_proj.bias", e);
        this.lProjWeight = p.param("l_proj.weight", e, cfg.lDim());
        this.lProjBias = p.param("l_proj.bias", e);
        this.valuesVProjWeight = p.param("values_v_proj.weight", e, cfg.vDim());
        this.valuesVProjBias = p.param("values_v_proj.bias", e);
        this.valuesLProjWeight = p.param("values_l_proj.weight", e, cfg.lDim());
        this.valuesLProjBias = p.param("values_l_proj.bias", e);
        this.outVProjWeight = p.param("out_v_proj.weight", cfg.vDim(), e);
        this.outVProjBias = p.param("out_v_proj.bias", cfg.vDim());
        this.outLProjWeight = p.param("out_l_proj.weight", cfg.lDim(), e);
        this.outLProjBias = p.param("out_l_proj.bias", cfg.lDim());
    }

    /**
     * @param v image tokens (B, n_img, v_dim)
     * @param l text tokens (B, n_txt, l_dim)
     * @param attentionMaskV (B, n_img) bool, true = padded image token, or {@code null}
     * @param attentionMaskL (B, n_txt) bool, true = padded text token, or {@code null}
     * @return the updates {@code (delta_v (B, n_img, v_dim), delta_l (B, n_txt, l_dim))}
     */
    public VisionLanguage forward(Tensor v, Tensor l, Tensor attentionMaskV, Tensor attentionMaskL) {
        long b = v.size(0);
        long nImg = v.size(1);
        long nTxt = l.size(1);
        long h = cfg.numHeads();
        long hd = cfg.headDim();
        double scale = Math.pow(hd, -0.5);

        Tensor q = linear(v, vProjWeight, new TensorOptional(vProjBias)).mul(new Scalar(scale)); // (B, n_img, E)
        q = heads(q, b, nImg); // (B*h, n_img, hd)
        Tensor k = heads(linear(l, lProjWeight, new TensorOptional(lProjBias)), b, nTxt); // (B*h, n_txt, hd)
        Tensor valueV = heads(linear(v, valuesVProjWeight, new TensorOptional(valuesVProjBias)), b, nImg);
        Tensor valueL = heads(linear(l, valuesLProjWeight, new TensorOptional(valuesLProjBias)), b, nTxt);

        Tensor attn = bmm(q, k.transpose(1, 2)); // (B*h, n_img, n_txt)
        attn = attn.sub(attn.max()); // global max over every batch element and head
        attn = clamp(attn);

        Tensor attnT = attn.transpose(1, 2); // (B*h, n_txt, n_img)
        Tensor attnL = clamp(attnT.sub(amax(attnT, new long[] {-1}, true))); // (B*h, n_txt, n_img)
        if (attentionMaskV != null) {
            Tensor padV = attentionMaskV.view(b, 1, 1, nImg); // (B, 1, 1, n_img)
            attnL = attnL.view(b, h, nTxt, nImg).masked_fill(padV, new Scalar(Double.NEGATIVE_INFINITY))
                    .view(b * h, nTxt, nImg); // (B*h, n_txt, n_img)
        }
        attnL = softmax(attnL, -1);

        if (attentionMaskL != null) {
            Tensor padL = attentionMaskL.view(b, 1, 1, nTxt); // (B, 1, 1, n_txt)
            attn = attn.view(b, h, nImg, nTxt).masked_fill(padL, new Scalar(Double.NEGATIVE_INFINITY))
                    .view(b * h, nImg, nTxt); // (B*h, n_img, n_txt)
        }
        Tensor attnV = softmax(attn, -1);

        Tensor outV = merge(bmm(attnV, valueL), b, nImg); // (B, n_img, E)
        Tensor outL = merge(bmm(attnL, valueV), b, nTxt); // (B, n_txt, E)
        outV = linear(outV, outVProjWeight, new TensorOptional(outVProjBias)); // (B, n_img, v_dim)
        outL = linear(outL, outLProjWeight, new TensorOptional(outLProjBias)); // (B, n_txt, l_dim)
        return new VisionLanguage(outV, outL);
    }

    /** (B, len, E) -> (B*h, len, hd), the reference's {@code _shape(...).view(*proj_shape)}. */
    private Tensor heads(Tensor x, long b, long len) {
        return x.view(b, len, cfg.numHeads(), cfg.headDim()).transpose(1, 2).contiguous()
                .view(b * cfg.numHeads(), len, cfg.headDim()); // (B*h, len, hd)
    }

    /** (B*h, len, hd) -> (B, len, E). */
    private Tensor merge(Tensor x, long b, long len) {
        return x.view(b, cfg.numHeads(), len, cfg.headDim()).transpose(1, 2).reshape(b, len, cfg.embedDim()); // (B, len, E)
    }

    private static Tensor clamp(Tensor x) {
        return x.clamp(new ScalarOptional(new Scalar(-CLAMP)), new ScalarOptional(new Scalar(CLAMP)));
    }
}
