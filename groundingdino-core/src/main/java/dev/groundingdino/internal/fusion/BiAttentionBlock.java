package dev.groundingdino.internal.fusion;

import dev.groundingdino.internal.runtime.Shapes;
import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino/models/GroundingDINO/fuse_modules.py::BiAttentionBlock: the image-text fusion at the start of
 * each encoder layer (checkpoint prefix {@code transformer.encoder.fusion_layers.{i}.}).
 *
 * <p>{@code v = LN_v(v)}, {@code l = LN_l(l)}, {@code (dv, dl) = attn(v, l)}, then {@code v + gamma_v * dv} and
 * {@code l + gamma_l * dl}: the residual is added to the NORMALISED inputs (a quirk of the reference). LayerNorm
 * eps is 1e-5; drop-path and dropout are the identity at inference.
 */
public final class BiAttentionBlock {
    private final BiAttentionConfig cfg;
    private final Tensor gammaV;
    private final Tensor gammaL;
    private final LayerNorm layerNormV;
    private final LayerNorm layerNormL;
    private final BiMultiHeadAttention attn;

    public BiAttentionBlock(BiAttentionConfig cfg, ParamTree p) {
        this.cfg = cfg;
        this.gammaV = p.param("gamma_v", cfg.vDim());
        this.gammaL = p.param("gamma_l", cfg.lDim());
        this.layerNormV = new LayerNorm(cfg.vDim(), p.child("layer_norm_v"));
        this.layerNormL = new LayerNorm(cfg.lDim(), p.child("layer_norm_l"));
        this.attn = new BiMultiHeadAttention(cfg, p.child("attn"));
    }

    /**
     * Fuses image and text tokens.
     *
     * @param v image tokens (B, n_img, v_dim)
     * @param l text tokens (B, n_txt, l_dim)
     * @param attentionMaskV (B, n_img) bool, true = padded image token (the encoder's key_padding_mask), or null
     * @param attentionMaskL (B, n_txt) bool, true = padded text token ({@code ~text_token_mask}), or null
     * @return the new {@code (v, l)}, same shapes
     * @throws IllegalArgumentException if the shapes do not agree with each other or the config
     */
    public VisionLanguage forward(Tensor v, Tensor l, Tensor attentionMaskV, Tensor attentionMaskL) {
        checkInputs(v, l, attentionMaskV, attentionMaskL);
        Tensor vn = layerNormV.forward(v); // (B, n_img, v_dim)
        Tensor ln = layerNormL.forward(l); // (B, n_txt, l_dim)
        VisionLanguage delta = attn.forward(vn, ln, attentionMaskV, attentionMaskL);
        Tensor vOut = delta.v().mul_(gammaV).add_(vn); // vn + gamma_v * delta_v, in the fresh delta (B, n_img, v_dim)
        Tensor lOut = delta.l().mul_(gammaL).add_(ln); // (B, n_txt, l_dim)
        return new VisionLanguage(vOut, lOut);
    }

    private void checkInputs(Tensor v, Tensor l, Tensor maskV, Tensor maskL) {
        if (v.dim() != 3 || v.size(2) != cfg.vDim()) {
            throw new IllegalArgumentException("image tokens must be (batch, n_img, " + cfg.vDim() + "), got "
                    + Shapes.format(v));
        }
        if (l.dim() != 3 || l.size(2) != cfg.lDim() || l.size(0) != v.size(0)) {
            throw new IllegalArgumentException("text tokens must be (" + v.size(0) + ", n_txt, " + cfg.lDim()
                    + "), got " + Shapes.format(l));
        }
        if (maskV != null && (maskV.dim() != 2 || maskV.size(0) != v.size(0) || maskV.size(1) != v.size(1))) {
            throw new IllegalArgumentException("image padding mask must be (" + v.size(0) + ", " + v.size(1)
                    + "), got " + Shapes.format(maskV));
        }
        for (Tensor mask : new Tensor[] {maskV, maskL}) {
            if (mask != null && mask.scalar_type().intern() != ScalarType.Bool) {
                throw new IllegalArgumentException("padding masks must be bool tensors (true = padded), got "
                        + mask.scalar_type());
            }
        }
        if (maskL != null && (maskL.dim() != 2 || maskL.size(0) != l.size(0) || maskL.size(1) != l.size(1))) {
            throw new IllegalArgumentException("text padding mask must be (" + l.size(0) + ", " + l.size(1)
                    + "), got " + Shapes.format(maskL));
        }
    }

}
