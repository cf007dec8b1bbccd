package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.pad;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * {@code swin_transformer.py::PatchEmbed}: zero-pads the image right/bottom to a multiple of the patch size, applies
 * the {@code proj} convolution (kernel = stride = patch size) and, with patch norm, a LayerNorm over channels.
 */
public final class PatchEmbed {
    private final int patchSize;
    private final int embedDim;
    private final Tensor projWeight;
    private final Tensor projBias;
    private final LayerNorm norm; // null without patch norm

    /**
     * @param cfg the backbone configuration (patch size, input channels, embed dim, patch norm)
     * @param p   the module's parameter subtree ({@code backbone.0.patch_embed})
     */
    public PatchEmbed(SwinConfig cfg, ParamTree p) {
        this.patchSize = cfg.patchSize();
        this.embedDim = cfg.embedDim();
        ParamTree proj = p.child("proj");
        this.projWeight = proj.param("weight", embedDim, cfg.inChans(), patchSize, patchSize);
        this.projBias = proj.param("bias", embedDim);
        this.norm = cfg.patchNorm() ? new LayerNorm(embedDim, p.child("norm")) : null;
    }

    /**
     * @param x images (B, 3, H, W)
     * @return patch features (B, C, ceil(H/patch), ceil(W/patch))
     */
    public Tensor forward(Tensor x) {
        long h = x.size(2);
        long w = x.size(3);
        long padR = w % patchSize == 0 ? 0 : patchSize - w % patchSize;
        long padB = h % patchSize == 0 ? 0 : patchSize - h % patchSize;
        if (padR > 0 || padB > 0) {
            x = pad(x, 0, padR, 0, padB); // (B, 3, Hpad, Wpad)
        }
        long[] stride = {patchSize, patchSize};
        Tensor y = conv2d(x, projWeight, new TensorOptional(projBias), stride, new long[] {0, 0}, new long[] {1, 1},
                1); // (B, C, Wh, Ww)
        if (norm == null) {
            return y;
        }
        long wh = y.size(2);
        long ww = y.size(3);
        Tensor tokens = norm.forward(y.flatten(2, -1).transpose(1, 2)); // (B, Wh*Ww, C)
        return tokens.transpose(1, 2).view(-1, embedDim, wh, ww); // (B, C, Wh, Ww)
    }
}
