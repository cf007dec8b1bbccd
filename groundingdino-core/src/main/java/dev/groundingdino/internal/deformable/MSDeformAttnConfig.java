package dev.groundingdino.internal.deformable;

/**
 * Dimensions of one multi-scale deformable attention module ({@code MultiScaleDeformableAttention.__init__}).
 *
 * @param embedDim model width (256 in GroundingDINO)
 * @param numHeads attention heads; must divide {@code embedDim}
 * @param numLevels feature levels sampled (4)
 * @param numPoints sampling points per head and level (4)
 */
public record MSDeformAttnConfig(int embedDim, int numHeads, int numLevels, int numPoints) {
    public MSDeformAttnConfig {
        if (embedDim <= 0 || numHeads <= 0 || numLevels <= 0 || numPoints <= 0) {
            throw new IllegalArgumentException("MSDeformAttn dimensions must be positive: embedDim=" + embedDim
                    + ", numHeads=" + numHeads + ", numLevels=" + numLevels + ", numPoints=" + numPoints);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MSDeformAttn embedDim " + embedDim + " is not divisible by numHeads "
                    + numHeads);
        }
    }

    /** Channels per head. */
    public int headDim() {
        return embedDim / numHeads;
    }
}
