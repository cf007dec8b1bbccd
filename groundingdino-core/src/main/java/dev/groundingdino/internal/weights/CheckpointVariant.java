package dev.groundingdino.internal.weights;


/**
 * Names the model a checkpoint belongs to from its tensor names and shapes: GroundingDINO (Swin-T OGC, Swin-B) or
 * Segment Anything (ViT-B/L/H), or a custom size of either.
 */
public final class CheckpointVariant {
    private CheckpointVariant() {}

    /** The model's name, e.g. {@code groundingdino_swint_ogc}, {@code sam_vit_h}, or {@code unknown}. */
    public static String of(StateDict sd) {
        if (sd.contains("backbone.0.patch_embed.proj.weight") && sd.contains("bert.embeddings.word_embeddings.weight")) {
            long swinDim = sd.shape("backbone.0.patch_embed.proj.weight")[0];
            long bertDim = sd.shape("bert.embeddings.word_embeddings.weight")[1];
            if (swinDim == 96 && bertDim == 768) {
                return "groundingdino_swint_ogc";
            }
            if (swinDim == 128 && bertDim == 768) {
                return "groundingdino_swinb_cogcoor";
            }
            return "groundingdino (custom: swin embed_dim " + swinDim + ", bert hidden " + bertDim + ")";
        }
        if (sd.contains("image_encoder.patch_embed.proj.weight") && sd.contains("mask_decoder.iou_token.weight")) {
            long dim = sd.shape("image_encoder.patch_embed.proj.weight")[0];
            return switch ((int) dim) {
                case 768 -> "sam_vit_b";
                case 1024 -> "sam_vit_l";
                case 1280 -> "sam_vit_h";
                default -> "sam (custom: vit embed_dim " + dim + ")";
            };
        }
        return "unknown";
    }
}
