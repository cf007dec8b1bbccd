package dev.groundingdino.sam.internal.sam2;

/**
 * Binary masks at the original image size ({@code masks > mask_threshold} after {@code postprocess_masks}),
 * row-major {@code (B, C, H, W)}.
 */
public record Sam2Masks(int batch, int masksPerPrompt, int height, int width, boolean[] masks) {
    public Sam2Masks {
        if (masks.length != (long) batch * masksPerPrompt * height * width) {
            throw new IllegalArgumentException("mask array of " + masks.length + " for " + batch + " x "
                    + masksPerPrompt + " masks of " + width + "x" + height);
        }
    }

    /** Whether pixel (x, y) of mask {@code c} of prompt {@code b} is set. */
    public boolean get(int b, int c, int x, int y) {
        return masks[((b * masksPerPrompt + c) * height + y) * width + x];
    }

    /** The number of set pixels of mask {@code c} of prompt {@code b}. */
    public long trueCount(int b, int c) {
        int plane = height * width;
        int start = (b * masksPerPrompt + c) * plane;
        long n = 0;
        for (int i = start; i < start + plane; i++) {
            if (masks[i]) {
                n++;
            }
        }
        return n;
    }
}
