package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.common.LayerNorm2d;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/memory_encoder.py::MaskDownSampler}: {@code log(total_stride) / log(stride)} times
 * (conv {@code stride}, LayerNorm2d, GELU), each multiplying the channels by {@code stride^2}, then a 1x1 conv to
 * {@code embed_dim}; the Sequential {@code encoder} keeps the indices of its parameter-free GELUs. Video only:
 * declared and loaded, no forward yet.
 */
public final class MaskDownSampler {
    private final List<Tensor> convs = new ArrayList<>();
    private final List<LayerNorm2d> norms = new ArrayList<>();

    /** Declares/loads {@code encoder.N.*} under {@code p} ({@code memory_encoder.mask_downsampler}). */
    public MaskDownSampler(ParamTree p, int embedDim, int kernelSize, int stride, int totalStride) {
        int numLayers = (int) Math.round(Math.log(totalStride) / Math.log(stride));
        if ((int) Math.pow(stride, numLayers) != totalStride) {
            throw new IllegalArgumentException("total stride " + totalStride + " is not a power of stride " + stride);
        }
        ParamTree encoder = p.child("encoder");
        int in = 1;
        int index = 0;
        for (int i = 0; i < numLayers; i++) {
            int out = in * stride * stride;
            convs.add(encoder.child(index).param("weight", out, in, kernelSize, kernelSize));
            convs.add(encoder.child(index).param("bias", out));
            norms.add(new LayerNorm2d(encoder.child(index + 1), out, 1e-6));
            index += 3; // conv, LayerNorm2d, GELU
            in = out;
        }
        convs.add(encoder.child(index).param("weight", embedDim, in, 1, 1));
        convs.add(encoder.child(index).param("bias", embedDim));
    }

    List<Tensor> convTensors() {
        return convs;
    }

    List<LayerNorm2d> norms() {
        return norms;
    }
}
