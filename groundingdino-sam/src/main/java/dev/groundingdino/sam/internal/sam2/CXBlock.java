package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.common.LayerNorm2d;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/memory_encoder.py::CXBlock}: a ConvNeXt block (depthwise {@code dwconv}, {@code norm},
 * {@code pwconv1}, GELU, {@code pwconv2}, layer scale {@code gamma}). Video only: declared and loaded, no forward yet.
 */
public final class CXBlock {
    private final Tensor gamma;
    private final Tensor dwconvWeight;
    private final Tensor dwconvBias;
    private final LayerNorm2d norm;
    private final Linear pwconv1;
    private final Linear pwconv2;

    /** Declares/loads the block under {@code p} ({@code memory_encoder.fuser.layers.i}), in state_dict order. */
    public CXBlock(ParamTree p, int dim, int kernelSize) {
        this.gamma = p.param("gamma", dim);
        this.dwconvWeight = p.child("dwconv").param("weight", dim, 1, kernelSize, kernelSize);
        this.dwconvBias = p.child("dwconv").param("bias", dim);
        this.norm = new LayerNorm2d(p.child("norm"), dim, 1e-6);
        this.pwconv1 = new Linear(dim, 4 * dim, p.child("pwconv1"));
        this.pwconv2 = new Linear(4 * dim, dim, p.child("pwconv2"));
    }

    Tensor[] tensors() {
        return new Tensor[] {gamma, dwconvWeight, dwconvBias};
    }

    LayerNorm2d norm() {
        return norm;
    }

    Linear[] pwconvs() {
        return new Linear[] {pwconv1, pwconv2};
    }
}
