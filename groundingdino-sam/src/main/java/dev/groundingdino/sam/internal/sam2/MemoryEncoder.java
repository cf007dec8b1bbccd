package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/memory_encoder.py::MemoryEncoder}: encodes a frame's features and predicted mask into a
 * 64-d memory ({@code mask_downsampler}, {@code pix_feat_proj}, {@code fuser}, {@code out_proj}). Video only:
 * declared and loaded, no forward yet.
 */
public final class MemoryEncoder {
    private final MaskDownSampler maskDownsampler;
    private final Tensor pixFeatProjWeight;
    private final Tensor pixFeatProjBias;
    private final Fuser fuser;
    private final Tensor outProjWeight;
    private final Tensor outProjBias;

    /** Declares/loads every tensor under {@code p} ({@code memory_encoder}), in state_dict order. */
    public MemoryEncoder(ParamTree p, int inDim, int outDim) {
        this.maskDownsampler = new MaskDownSampler(p.child("mask_downsampler"), inDim,
                Sam2Config.MASK_DOWNSAMPLER_KERNEL, Sam2Config.MASK_DOWNSAMPLER_STRIDE,
                Sam2Config.MASK_DOWNSAMPLER_TOTAL_STRIDE);
        this.pixFeatProjWeight = p.child("pix_feat_proj").param("weight", inDim, inDim, 1, 1);
        this.pixFeatProjBias = p.child("pix_feat_proj").param("bias", inDim);
        this.fuser = new Fuser(p.child("fuser"), inDim, Sam2Config.FUSER_KERNEL, Sam2Config.FUSER_LAYERS);
        this.outProjWeight = p.child("out_proj").param("weight", outDim, inDim, 1, 1);
        this.outProjBias = p.child("out_proj").param("bias", outDim);
    }

    MaskDownSampler maskDownsampler() {
        return maskDownsampler;
    }

    Fuser fuser() {
        return fuser;
    }

    Tensor[] projections() {
        return new Tensor[] {pixFeatProjWeight, pixFeatProjBias, outProjWeight, outProjBias};
    }
}
