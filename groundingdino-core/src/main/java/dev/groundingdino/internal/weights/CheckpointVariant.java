package dev.groundingdino.internal.weights;


/**
 * Names the model a checkpoint belongs to from its tensor names and shapes: GroundingDINO (Swin-T OGC, Swin-B; the
 * reference's layout or Hugging Face's), Segment Anything (ViT-B/L/H) or SAM 2.1 (Hiera-T/S/B+/L), or a custom size.
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
        if (sd.contains("image_encoder.trunk.pos_embed") && sd.contains("sam_mask_decoder.iou_token.weight")) {
            long dim = sd.shape("image_encoder.trunk.pos_embed")[1];
            int blocks = 0;
            while (sd.contains("image_encoder.trunk.blocks." + blocks + ".norm1.weight")) {
                blocks++;
            }
            if (dim == 96 && blocks == 12) {
                return "sam2.1_hiera_tiny";
            }
            if (dim == 96 && blocks == 16) {
                return "sam2.1_hiera_small";
            }
            if (dim == 112 && blocks == 24) {
                return "sam2.1_hiera_base_plus";
            }
            if (dim == 144 && blocks == 48) {
                return "sam2.1_hiera_large";
            }
            return "sam2.1 (custom: hiera embed_dim " + dim + ", " + blocks + " blocks)";
        }
        for (String patch : new String[] {"model.backbone.conv_encoder.model.embeddings.patch_embeddings.projection.weight",
                "model.backbone.conv_encoder.model.swin.embeddings.patch_embeddings.projection.weight"}) {
            if (sd.contains(patch) && sd.contains("model.text_backbone.embeddings.word_embeddings.weight")) {
                long swinDim = sd.shape(patch)[0];
                String size = swinDim == 96 ? "Swin-T" : swinDim == 128 ? "Swin-B" : swinDim == 192 ? "Swin-L"
                        : "swin embed_dim " + swinDim;
                return "grounding-dino (Hugging Face layout, " + size + "; GroundingDINO, MM-GroundingDINO or LLMDet)";
            }
        }
        return "unknown";
    }
}
