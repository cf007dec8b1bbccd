package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.pad;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * {@code swin_transformer.py::PatchMerging}: halves the resolution and doubles the channels. An odd height/width
 * is padded by one zero row/column (bottom/right); the 2x2 neighbours are concatenated in the reference order
 * {@code x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]}, then {@code norm} (LayerNorm 4C) and
 * {@code reduction} (Linear 4C to 2C, no bias). The output size is {@code ((H + 1) / 2, (W + 1) / 2)}.
 */
public final class PatchMerging {
    private final int dim;
    private final Linear reduction;
    private final LayerNorm norm;

    /**
     * @param dim input channels {@code C}
     * @param p   the module's parameter subtree ({@code ...layers.i.downsample})
     */
    public PatchMerging(int dim, ParamTree p) {
        this.dim = dim;
        this.reduction = new Linear(4 * dim, 2 * dim, false, p.child("reduction"));
        this.norm = new LayerNorm(4 * dim, p.child("norm"));
    }

    /**
     * @param x      tokens (B, H*W, C)
     * @param height {@code H}
     * @param width  {@code W}
     * @return (B, ((H+1)/2) * ((W+1)/2), 2C)
     */
    public Tensor forward(Tensor x, int height, int width) {
        long batch = x.size(0);
        if (x.size(1) != (long) height * width || x.size(2) != dim) {
            throw new IllegalArgumentException("patch merging input has " + x.size(1) + " tokens of " + x.size(2)
                    + " channels but " + height + "*" + width + " tokens of " + dim + " channels were expected");
        }
        Tensor h = x.reshape(batch, height, width, dim); // (B, H, W, C)
        if (height % 2 == 1 || width % 2 == 1) {
            h = pad(h, 0, 0, 0, width % 2, 0, height % 2); // (B, H + H%2, W + W%2, C)
        }
        Tensor x0 = every2(h, 0, 0); // (B, H/2, W/2, C)
        Tensor x1 = every2(h, 1, 0); // (B, H/2, W/2, C)
        Tensor x2 = every2(h, 0, 1); // (B, H/2, W/2, C)
        Tensor x3 = every2(h, 1, 1); // (B, H/2, W/2, C)
        Tensor merged = cat(new TensorVector(x0, x1, x2, x3), -1) // (B, H/2, W/2, 4C)
                .view(batch, -1, 4L * dim); // (B, H/2 * W/2, 4C)
        return reduction.forward(norm.forward(merged));
    }

    private static Tensor every2(Tensor x, long rowStart, long colStart) {
        return x.slice(1, new LongOptional(rowStart), new LongOptional(), 2)
                .slice(2, new LongOptional(colStart), new LongOptional(), 2);
    }
}
