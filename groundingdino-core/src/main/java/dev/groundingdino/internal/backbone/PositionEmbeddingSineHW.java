package dev.groundingdino.internal.backbone;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.floor_divide;
import static org.bytedeco.pytorch.global.torch.pow;
import static org.bytedeco.pytorch.global.torch.stack;

import dev.groundingdino.internal.nn.SineTables;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code position_encoding.py::PositionEmbeddingSineHW}: the 2-d sine position encoding of an image feature map
 * ({@code backbone.1}), computed from its padding mask alone.
 *
 * <p>{@code y = cumsum(~mask, H)}, {@code x = cumsum(~mask, W)} in float32; with {@code normalize}
 * {@code y / (y[last row] + 1e-6) * scale} (and the same for x along its row); {@code dim_t[i] =
 * temperature^(2 * floor(i / 2) / numPosFeats)}; channels {@code [sin(y/d0), cos(y/d1), sin(y/d2), cos(y/d3), ...]}
 * ({@code numPosFeats} of them) followed by the same for x. Every step uses the reference's float32 tensor ops, in
 * its order, so the result is the reference's to float32 rounding.
 *
 * <p>Immutable, no parameters; GroundingDINO uses {@link #groundingDino(int, double, double)} for all four feature
 * levels (the fourth computed on its own size and mask).
 */
public final class PositionEmbeddingSineHW {
    private static final double EPS = 1e-6;

    private final int numPosFeats;
    private final double temperatureH;
    private final double temperatureW;
    private final boolean normalize;
    private final double scale;
    private final Tensor dimTH; // (F) float32 on the model's device, or null: computed per call
    private final Tensor dimTW;

    /**
     * @param numPosFeats  features per axis (half the output channels), positive and even
     * @param temperatureH temperature of the y (height) features, positive
     * @param temperatureW temperature of the x (width) features, positive
     * @param normalize    whether cumulative positions are normalised to {@code (0, scale]}
     * @param scale        normalised range, {@code 2 pi} in the reference (ignored without {@code normalize})
     */
    public PositionEmbeddingSineHW(int numPosFeats, double temperatureH, double temperatureW, boolean normalize,
            double scale) {
        if (numPosFeats <= 0 || numPosFeats % 2 != 0) {
            throw new IllegalArgumentException("numPosFeats must be positive and even, got " + numPosFeats);
        }
        if (!(temperatureH > 0) || !(temperatureW > 0) || Double.isInfinite(temperatureH)
                || Double.isInfinite(temperatureW)) {
            throw new IllegalArgumentException("temperatures must be positive and finite, got H " + temperatureH
                    + ", W " + temperatureW);
        }
        if (!Double.isFinite(scale) || !(scale > 0)) {
            throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
        }
        this.numPosFeats = numPosFeats;
        this.temperatureH = temperatureH;
        this.temperatureW = temperatureW;
        this.normalize = normalize;
        this.scale = scale;
        this.dimTH = null;
        this.dimTW = null;
    }

    private PositionEmbeddingSineHW(PositionEmbeddingSineHW e, Tensor dimTH, Tensor dimTW) {
        this.numPosFeats = e.numPosFeats;
        this.temperatureH = e.temperatureH;
        this.temperatureW = e.temperatureW;
        this.normalize = e.normalize;
        this.scale = e.scale;
        this.dimTH = dimTH;
        this.dimTW = dimTW;
    }

    /**
     * This encoding with its frequency tables built once, now, on the model's device ({@code p.constant}); in
     * declare mode this encoding itself.
     */
    public PositionEmbeddingSineHW withConstants(ParamTree p) {
        if (p.placement() == null) {
            return this;
        }
        return new PositionEmbeddingSineHW(this,
                p.constant(() -> SineTables.dimT(numPosFeats, temperatureH, p.placement().options(ScalarType.Float))),
                p.constant(() -> SineTables.dimT(numPosFeats, temperatureW, p.placement().options(ScalarType.Float))));
    }

    /**
     * The reference builder's encoding ({@code build_position_encoding} with {@code position_embedding="sine"}):
     * {@code hiddenDim / 2} features per axis, normalised to {@code 2 pi}. GroundingDINO: {@code (256, 20, 20)}.
     */
    public static PositionEmbeddingSineHW groundingDino(int hiddenDim, double temperatureH, double temperatureW) {
        if (hiddenDim <= 0 || hiddenDim % 4 != 0) {
            throw new IllegalArgumentException("hiddenDim must be a positive multiple of 4, got " + hiddenDim);
        }
        return new PositionEmbeddingSineHW(hiddenDim / 2, temperatureH, temperatureW, true, 2 * Math.PI);
    }

    /** Output channels: {@code 2 * numPosFeats}. */
    public int channels() {
        return 2 * numPosFeats;
    }

    /**
     * @param mask padding mask (B, H, W), bool, {@code true} on padding (NestedTensor convention)
     * @return position encoding (B, 2 * numPosFeats, H, W), float32, on the mask's device
     * @throws IllegalArgumentException if {@code mask} is not a 3-d bool tensor
     */
    public Tensor forward(Tensor mask) {
        if (mask.dim() != 3 || mask.scalar_type().intern() != ScalarType.Bool) {
            throw new IllegalArgumentException("the position embedding expects a bool mask [B, H, W], got a "
                    + mask.dim() + "-d " + mask.scalar_type() + " tensor");
        }
        long height = mask.size(1);
        long width = mask.size(2);
        Tensor notMask = mask.logical_not(); // (B, H, W)
        Tensor yEmbed = notMask.cumsum(1, new ScalarTypeOptional(ScalarType.Float)); // (B, H, W)
        Tensor xEmbed = notMask.cumsum(2, new ScalarTypeOptional(ScalarType.Float)); // (B, H, W)
        if (normalize) {
            Scalar eps = new Scalar(EPS);
            Scalar s = new Scalar(scale);
            yEmbed = yEmbed.div(yEmbed.narrow(1, height - 1, 1).add(eps)).mul(s); // (B, H, W)
            xEmbed = xEmbed.div(xEmbed.narrow(2, width - 1, 1).add(eps)).mul(s); // (B, H, W)
        }
        Tensor posX = interleave(xEmbed.unsqueeze(3).div(dimT(dimTW, temperatureW, mask))); // (B, H, W, F)
        Tensor posY = interleave(yEmbed.unsqueeze(3).div(dimT(dimTH, temperatureH, mask))); // (B, H, W, F)
        return cat(new TensorVector(posY, posX), 3) // (B, H, W, 2F)
                .permute(0, 3, 1, 2); // (B, 2F, H, W)
    }

    /** The precomputed table when it lives on {@code like}'s device, else {@link SineTables#dimT} computed there. */
    private Tensor dimT(Tensor precomputed, double temperature, Tensor like) {
        if (precomputed != null && precomputed.device().type() == like.device().type()) {
            return precomputed;
        }
        return SineTables.dimT(numPosFeats, temperature,
                new TensorOptions(ScalarType.Float).device(new DeviceOptional(like.device())));
    }

    /** {@code stack((p[..., 0::2].sin(), p[..., 1::2].cos()), 4).flatten(3)}: (B, H, W, F) to (B, H, W, F). */
    private static Tensor interleave(Tensor p) {
        Tensor sin = p.slice(3, new LongOptional(0), new LongOptional(), 2).sin(); // (B, H, W, F/2)
        Tensor cos = p.slice(3, new LongOptional(1), new LongOptional(), 2).cos(); // (B, H, W, F/2)
        return stack(new TensorVector(sin, cos), 4) // (B, H, W, F/2, 2)
                .flatten(3, -1); // (B, H, W, F)
    }
}
