package dev.groundingdino.internal.fusion;

/**
 * The dimensions of one image-text fusion block ({@code fuse_modules.py::BiAttentionBlock}).
 *
 * <p>GroundingDINO's encoder builds it as {@code BiAttentionBlock(v_dim=d_model, l_dim=d_model,
 * embed_dim=dim_feedforward // 2, num_heads=nheads // 2)}; {@link #forEncoder} applies that rule.
 *
 * @param vDim width of the image tokens (d_model)
 * @param lDim width of the text tokens (d_model)
 * @param embedDim inner attention width
 * @param numHeads attention heads; must divide {@code embedDim}
 */
public record BiAttentionConfig(int vDim, int lDim, int embedDim, int numHeads) {

    public BiAttentionConfig {
        requirePositive("vDim", vDim);
        requirePositive("lDim", lDim);
        requirePositive("embedDim", embedDim);
        requirePositive("numHeads", numHeads);
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("fusion embedDim " + embedDim + " is not a multiple of numHeads "
                    + numHeads);
        }
    }

    /**
     * The fusion block of a GroundingDINO encoder with the given transformer dimensions.
     *
     * @param dModel the transformer width (hidden_dim, 256)
     * @param nheads the transformer's attention heads (the fusion uses half)
     * @param dimFeedforward the transformer's FFN width (the fusion uses half)
     */
    public static BiAttentionConfig forEncoder(int dModel, int nheads, int dimFeedforward) {
        if (nheads < 2 || dimFeedforward < 2) {
            throw new IllegalArgumentException("nheads and dimFeedforward must be at least 2 (the fusion uses half), got "
                    + nheads + " and " + dimFeedforward);
        }
        return new BiAttentionConfig(dModel, dModel, dimFeedforward / 2, nheads / 2);
    }

    /** GroundingDINO_SwinT_OGC / SwinB: d_model 256, 8 heads, FFN 2048 → width 1024, 4 heads. */
    public static BiAttentionConfig swinTOgc() {
        return forEncoder(256, 8, 2048);
    }

    /** The golden "tiny" model: d_model 256, 4 heads, FFN 128 → width 64, 2 heads. */
    public static BiAttentionConfig tiny() {
        return forEncoder(256, 4, 128);
    }

    /** Width of one head. */
    public int headDim() {
        return embedDim / numHeads;
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("fusion " + name + " must be positive, got " + value);
        }
    }
}
