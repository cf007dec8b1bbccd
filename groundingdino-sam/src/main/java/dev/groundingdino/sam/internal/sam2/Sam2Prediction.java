package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
/**
 * The outputs of one {@code SAM2ImagePredictor.predict} call copied to Java arrays (row-major), before upscaling.
 * Shapes keep the batch dimension: the reference's {@code predict} squeezes it away when B is 1.
 *
 * @param batch B
 * @param masksPerPrompt C: 3 with multimask output, else 1
 * @param rawLowResLogits (B, C, 256, 256) the decoder's mask logits, NOT clamped (what the reference upscales)
 * @param iouPredictions (B, C) predicted mask IoUs
 * @param objectScoreLogits (B) object-presence logits ({@code pred_obj_score_head})
 */
public record Sam2Prediction(int batch, int masksPerPrompt, float[] rawLowResLogits, float[] iouPredictions,
        float[] objectScoreLogits) {

    /** Side of the low-resolution logits (256). */
    public static final int LOW_RES = Sam2Config.lowResMaskSize();

    public Sam2Prediction {
        long plane = (long) LOW_RES * LOW_RES;
        if (rawLowResLogits.length != batch * masksPerPrompt * plane || iouPredictions.length != batch * masksPerPrompt
                || objectScoreLogits.length != batch) {
            throw new IllegalArgumentException("inconsistent prediction arrays for batch " + batch + " x "
                    + masksPerPrompt + " masks");
        }
    }

    /** {@code [B, C, 256, 256]}. */
    public long[] lowResShape() {
        return new long[] {batch, masksPerPrompt, LOW_RES, LOW_RES};
    }

    /**
     * The predictor's returned {@code low_res_masks}: the logits clamped to [-32, 32] (a copy), usable as the next
     * call's {@code mask_input}.
     */
    public float[] lowResLogits() {
        float[] out = new float[rawLowResLogits.length];
        float c = (float) Sam2Config.LOW_RES_CLAMP;
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(Math.max(rawLowResLogits[i], -c), c);
        }
        return out;
    }

    /** The clamped low-resolution logits of prompt {@code b}, mask {@code c} (256 x 256). */
    public float[] lowResLogits(int b, int c) {
        int plane = LOW_RES * LOW_RES;
        float[] all = lowResLogits();
        float[] out = new float[plane];
        System.arraycopy(all, (b * masksPerPrompt + c) * plane, out, 0, plane);
        return out;
    }
}
