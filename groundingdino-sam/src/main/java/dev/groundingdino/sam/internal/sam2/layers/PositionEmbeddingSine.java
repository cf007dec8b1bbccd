package dev.groundingdino.sam.internal.sam2.layers;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.pow;
import static org.bytedeco.pytorch.global.torch.stack;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code sam2/modeling/position_encoding.py::PositionEmbeddingSine} ({@code normalize=True}, {@code scale=2 pi},
 * {@code temperature=10000}): the sine/cosine encoding of the normalised row and column of every cell of an
 * {@code H x W} grid, {@code num_pos_feats / 2} channels for y followed by as many for x. It depends only on the grid
 * size, so SAM 2 computes it once per feature size ({@code _pe}, cached by the reference too).
 */
public final class PositionEmbeddingSine {
    private static final double EPS = 1e-6;

    private final int numPosFeats; // per axis: num_pos_feats // 2
    private final double temperature;
    private final double scale;

    /** {@code PositionEmbeddingSine(num_pos_feats, temperature=10000, normalize=True, scale=None)}. */
    public PositionEmbeddingSine(int numPosFeats) {
        if (numPosFeats <= 0 || numPosFeats % 2 != 0) {
            throw new IllegalArgumentException("num_pos_feats must be positive and even, got " + numPosFeats);
        }
        this.numPosFeats = numPosFeats / 2;
        this.temperature = 10000;
        this.scale = 2 * Math.PI;
    }

    /** {@code _pe(1, device, h, w)}: {@code (1, num_pos_feats, h, w)} float32 on {@code device}. */
    public Tensor forward(int h, int w, Device device) {
        TensorOptions f32 = new TensorOptions(ScalarType.Float).device(new DeviceOptional(device));
        Scalar one = new Scalar(1);
        Tensor yEmbed = arange(one, new Scalar(h + 1), one, f32).view(1, -1, 1).repeat(1, 1, w); // (1, h, w)
        Tensor xEmbed = arange(one, new Scalar(w + 1), one, f32).view(1, 1, -1).repeat(1, h, 1); // (1, h, w)
        // normalize: y / (y[:, -1:, :] + eps) * scale
        Tensor yLast = yEmbed.narrow(1, h - 1, 1).add(new Scalar(EPS)); // (1, 1, w)
        Tensor xLast = xEmbed.narrow(2, w - 1, 1).add(new Scalar(EPS)); // (1, h, 1)
        yEmbed = yEmbed.div(yLast).mul(new Scalar(scale));
        xEmbed = xEmbed.div(xLast).mul(new Scalar(scale));

        Tensor dimT = arange(new Scalar(numPosFeats), f32); // (F)
        // temperature ** (2 * (dim_t // 2) / num_pos_feats)
        dimT = pow(new Scalar(temperature), dimT.floor_divide(new Scalar(2)).mul(new Scalar(2))
                .div(new Scalar(numPosFeats))); // (F)
        Tensor posX = encode(xEmbed.unsqueeze(3).div(dimT)); // (1, h, w, F)
        Tensor posY = encode(yEmbed.unsqueeze(3).div(dimT)); // (1, h, w, F)
        return cat(new TensorVector(posY, posX), 3).permute(0, 3, 1, 2); // (1, 2F, h, w)
    }

    /** {@code stack((p[..., 0::2].sin(), p[..., 1::2].cos()), dim=4).flatten(3)}: (1, h, w, F) -> (1, h, w, F). */
    private static Tensor encode(Tensor p) {
        Tensor even = p.slice(3, new LongOptional(0), new LongOptional(p.size(3)), 2).sin(); // (1, h, w, F/2)
        Tensor odd = p.slice(3, new LongOptional(1), new LongOptional(p.size(3)), 2).cos(); // (1, h, w, F/2)
        return stack(new TensorVector(even, odd), 4).flatten(3, -1); // (1, h, w, F)
    }

    /** Channels per axis ({@code num_pos_feats // 2}). */
    int numPosFeatsPerAxis() {
        return numPosFeats;
    }
}
