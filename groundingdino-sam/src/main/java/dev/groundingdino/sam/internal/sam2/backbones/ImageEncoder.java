package dev.groundingdino.sam.internal.sam2.backbones;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.sam2.layers.OwnedTensors;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code sam2/modeling/backbones/image_encoder.py::ImageEncoder}: the {@link Hiera} trunk, the {@link FpnNeck}, and
 * the {@code scalp} that drops the lowest-resolution FPN level(s) (SAM 2.1: the 32x32 level, which only feeds the
 * 64x64 level top-down).
 *
 * <p>Of the neck's position encodings ({@code vision_pos_enc}) only the lowest-resolution kept level's is ever read
 * (by the video memory attention, {@code current_vision_pos_embeds[-1]}); the image predictor reads none. It is
 * computed once at load ({@link #visionPosEnc()}, 4 MB); the high-resolution levels' (80 MB, never read) are not.
 */
public final class ImageEncoder {
    private final Sam2Config cfg;
    private final Hiera trunk;
    private final FpnNeck neck;
    private Tensor visionPosEnc; // (1, 256, 64, 64) float32; set by prepare

    /** Declares/loads {@code trunk.*} and {@code neck.*} under {@code p} ({@code image_encoder}). */
    public ImageEncoder(Sam2Config cfg, ParamTree p) {
        this.cfg = cfg;
        this.trunk = new Hiera(cfg.trunk(), p.child("trunk"));
        this.neck = new FpnNeck(p.child("neck"), Sam2Config.D_MODEL, cfg.backboneChannelList(),
                cfg.fpnTopDownLevels());
    }

    /** Computes the load-time constants (trunk position embedding, the kept position encoding). */
    public void prepare(OwnedTensors owned) {
        trunk.prepare(owned);
        int side = Sam2Config.embeddingSize();
        Tensor device = neck.anyWeight();
        visionPosEnc = owned.keep(neck.positionEncoding().forward(side, side, device.device())
                .to(ScalarType.Float).contiguous()); // (1, 256, 64, 64)
    }

    /**
     * {@code forward(sample)['backbone_fpn']}: the preprocessed input {@code (B, 3, 1024, 1024)} to the FPN levels
     * kept after the scalp, highest resolution first: {@code (B, 256, 256, 256), (B, 256, 128, 128),
     * (B, 256, 64, 64)}; the last is {@code vision_features}.
     */
    public List<Tensor> forward(Tensor sample) {
        List<Tensor> features = neck.forward(trunk.forward(sample));
        return features.subList(0, features.size() - cfg.scalp());
    }

    /** {@code vision_pos_enc[-1]}: the sine encoding of the 64x64 level, {@code (1, 256, 64, 64)}. */
    public Tensor visionPosEnc() {
        return visionPosEnc;
    }

    public Hiera trunk() {
        return trunk;
    }

    public FpnNeck neck() {
        return neck;
    }
}
