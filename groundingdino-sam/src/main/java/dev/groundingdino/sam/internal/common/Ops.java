package dev.groundingdino.sam.internal.common;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small helpers shared by the SAM modules (tensor options, shapes). */
public final class Ops {
    private Ops() {}

    /** Options for a new tensor of {@code dtype} on the device of {@code like}. */
    public static TensorOptions options(Tensor like, ScalarType dtype) {
        return like.options().dtype(new ScalarTypeOptional(dtype));
    }
}
