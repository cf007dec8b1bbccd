package dev.groundingdino.sam.internal.encoder;

import static org.bytedeco.pytorch.global.torch.conv2d;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.config.SamConfig;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * {@code segment_anything/modeling/image_encoder.py::PatchEmbed}: a {@code patch x patch} convolution with stride
 * {@code patch} ({@code proj}), output channels-last.
 */
public final class PatchEmbed {
    private final Tensor weight;
    private final Tensor bias;
    private final int patch;

    /** Declares/loads {@code proj.weight} [C, 3, patch, patch] and {@code proj.bias} [C]. */
    public PatchEmbed(SamConfig cfg, ParamTree p) {
        this.patch = cfg.patchSize();
        ParamTree proj = p.child("proj");
        this.weight = proj.param("weight", cfg.encoderEmbedDim(), 3, patch, patch);
        this.bias = proj.param("bias", cfg.encoderEmbedDim());
    }

    /** {@code (B, 3, H, W) -> (B, H/patch, W/patch, C)}. */
    public Tensor forward(Tensor x) {
        if (x.scalar_type().intern() != weight.scalar_type().intern()) {
            x = x.to(weight.scalar_type()); // float32 pixels into a bfloat16 encoder
        }
        Tensor y = conv2d(x, weight, new TensorOptional(bias), new long[] {patch, patch}, new long[] {0, 0},
                new long[] {1, 1}, 1); // (B, C, H', W')
        return y.permute(0, 2, 3, 1); // (B, H', W', C)
    }
}
