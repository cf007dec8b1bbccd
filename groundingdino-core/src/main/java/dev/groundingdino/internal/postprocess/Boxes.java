package dev.groundingdino.internal.postprocess;

/**
 * Box conversions exactly as the reference's {@code annotate} / {@code Model.post_process_result} do them:
 * {@code boxes * torch.Tensor([W, H, W, H])} then {@code torchvision.ops.box_convert(cxcywh -> xyxy)}
 * ({@code x0 = cx - 0.5 * w}, ...), every step in float32.
 */
public final class Boxes {
    private Boxes() {}

    /**
     * The pixel corners {@code (x0, y0, x1, y1)} of a normalised {@code (cx, cy, w, h)} box on an image of
     * {@code width x height} pixels, computed in float32 like the reference.
     */
    public static float[] cxcywhToPixelXyxy(float cx, float cy, float w, float h, int width, int height) {
        float fw = width;
        float fh = height;
        float pcx = cx * fw;
        float pcy = cy * fh;
        float pw = w * fw;
        float ph = h * fh;
        return new float[] {pcx - 0.5f * pw, pcy - 0.5f * ph, pcx + 0.5f * pw, pcy + 0.5f * ph};
    }
}
