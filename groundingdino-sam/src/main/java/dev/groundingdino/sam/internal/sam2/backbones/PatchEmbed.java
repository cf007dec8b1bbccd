package dev.groundingdino.sam.internal.sam2.backbones;

import static org.bytedeco.pytorch.global.torch.conv2d;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * {@code sam2/modeling/backbones/utils.py::PatchEmbed}: a 7x7 convolution with stride 4 and padding 3
 * ({@code proj}), output channels-last.
 */
public final class PatchEmbed {
    static final int KERNEL = 7;
    static final int STRIDE = 4;
    static final int PADDING = 3;

    private final Tensor weight;
    private final Tensor bias;

    /** Declares/loads {@code proj.weight} [C, 3, 7, 7] and {@code proj.bias} [C]. */
    public PatchEmbed(ParamTree p, int embedDim) {
        ParamTree proj = p.child("proj");
        this.weight = proj.param("weight", embedDim, 3, KERNEL, KERNEL);
        this.bias = proj.param("bias", embedDim);
    }

    /** {@code (B, 3, H, W) -> (B, H/4, W/4, C)}, in the weight's dtype. */
    public Tensor forward(Tensor x) {
        if (x.scalar_type().intern() != weight.scalar_type().intern()) {
            x = x.to(weight.scalar_type()); // float32 pixels into a bfloat16 trunk
        }
        Tensor y = conv2d(x, weight, new TensorOptional(bias), new long[] {STRIDE, STRIDE},
                new long[] {PADDING, PADDING}, new long[] {1, 1}, 1); // (B, C, H/4, W/4)
        return y.permute(0, 2, 3, 1); // (B, H/4, W/4, C)
    }
}
