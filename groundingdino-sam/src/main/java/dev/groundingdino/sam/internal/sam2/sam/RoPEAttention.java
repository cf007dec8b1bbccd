package dev.groundingdino.sam.internal.sam2.sam;

import dev.groundingdino.internal.runtime.ParamTree;

/**
 * {@code sam2/modeling/sam/transformer.py::RoPEAttention}: the memory attention's {@link Attention} with axial rotary
 * position encoding. Only its weights are declared here (the video memory path is not implemented yet): the rotary
 * tables ({@code freqs_cis}) are computed, not stored, so the weights are exactly those of {@link Attention}.
 * {@link #forward} is not available.
 */
public final class RoPEAttention extends Attention {
    /** Declares/loads the projections like {@link Attention#Attention(ParamTree, int, int, int, int)}. */
    public RoPEAttention(ParamTree p, int embeddingDim, int numHeads, int downsampleRate, int kvInDim) {
        super(p, embeddingDim, numHeads, downsampleRate, kvInDim);
    }

    /** @throws UnsupportedOperationException always: the rotary encoding of the video path is not implemented */
    @Override
    public org.bytedeco.pytorch.Tensor forward(org.bytedeco.pytorch.Tensor q, org.bytedeco.pytorch.Tensor k,
            org.bytedeco.pytorch.Tensor v) {
        throw new UnsupportedOperationException("RoPEAttention (SAM 2 video memory attention) is not implemented; "
                + "only its weights are loaded");
    }
}
