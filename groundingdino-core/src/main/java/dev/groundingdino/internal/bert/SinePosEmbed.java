package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.runtime.Shapes;
import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.pow;
import static org.bytedeco.pytorch.global.torch.stack;

import dev.groundingdino.internal.nn.SineTables;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino/models/GroundingDINO/utils.py::get_sine_pos_embed: the sine embedding of raw (unnormalised)
 * coordinates, used for the text position embedding of the encoder's text enhancer.
 *
 * <p>For each input coordinate {@code x} and feature {@code i < F}: {@code dim_t[i] = T^(2*floor(i/2)/F)},
 * {@code y = x * 2pi / dim_t}, output {@code [sin(y_0), cos(y_1), sin(y_2), cos(y_3), ...]} (interleaved); the
 * embeddings of the coordinates are concatenated (first two swapped when {@code exchangeXy}). All arithmetic is
 * float32 in the reference's op order.
 */
public final class SinePosEmbed {
    /** Features per position of the text position embedding (hard-wired 256 in the reference). */
    public static final int TEXT_NUM_POS_FEATS = 256;
    /** Temperature of the text position embedding. */
    public static final double TEXT_TEMPERATURE = 10000;

    private SinePosEmbed() {}

    /**
     * The encoder's {@code pos_text = get_sine_pos_embed(position_ids[..., None], num_pos_feats=256,
     * exchange_xy=False)}.
     *
     * @param positionIds (B, n) int64 sub-sentence position ids
     * @return (B, n, 256) float
     */
    public static Tensor textPositionEmbedding(Tensor positionIds) {
        if (positionIds.dim() != 2) {
            throw new IllegalArgumentException("position ids must be (batch, tokens), got "
                    + Shapes.format(positionIds));
        }
        return getSinePosEmbed(positionIds.unsqueeze(-1), TEXT_NUM_POS_FEATS, TEXT_TEMPERATURE, false); // (B, n, 256)
    }

    /** {@link #textPositionEmbedding(Tensor)} with its frequency table given (a model constant, {@link #textDimT}). */
    public static Tensor textPositionEmbedding(Tensor positionIds, Tensor dimT) {
        if (positionIds.dim() != 2) {
            throw new IllegalArgumentException("position ids must be (batch, tokens), got "
                    + Shapes.format(positionIds));
        }
        return sinePosEmbed(positionIds.unsqueeze(-1), dimT, false); // (B, n, 256)
    }

    /** The frequency table of the text position embedding: (256) float32 with {@code floatOptions}. */
    public static Tensor textDimT(TensorOptions floatOptions) {
        return SineTables.dimT(TEXT_NUM_POS_FEATS, TEXT_TEMPERATURE, floatOptions);
    }

    /**
     * The general form.
     *
     * @param pos (B, n, k) coordinates (any real or integer dtype)
     * @param numPosFeats features per coordinate, even
     * @param temperature the base {@code T}
     * @param exchangeXy swap the embeddings of the first two coordinates (needs k >= 2)
     * @return (B, n, k * numPosFeats) float
     */
    public static Tensor getSinePosEmbed(Tensor pos, int numPosFeats, double temperature, boolean exchangeXy) {
        if (pos.dim() != 3) {
            throw new IllegalArgumentException("positions must be (batch, tokens, coords), got "
                    + Shapes.format(pos));
        }
        if (numPosFeats <= 0 || numPosFeats % 2 != 0) {
            throw new IllegalArgumentException("numPosFeats must be positive and even, got " + numPosFeats);
        }
        long coords = pos.size(2);
        if (exchangeXy && coords < 2) {
            throw new IllegalArgumentException("exchangeXy needs at least 2 coordinates, got " + coords);
        }
        TensorOptions floatOpts = pos.options().dtype(new ScalarTypeOptional(ScalarType.Float));
        return sinePosEmbed(pos, SineTables.dimT(numPosFeats, temperature, floatOpts), exchangeXy);
    }

    /** The general form with its frequency table {@code dimT} (F) given. */
    private static Tensor sinePosEmbed(Tensor pos, Tensor dimT, boolean exchangeXy) {
        long coords = pos.size(2);
        long numPosFeats = dimT.size(0);
        Tensor posF = pos.to(ScalarType.Float);
        List<Tensor> parts = new ArrayList<>();
        for (long c = 0; c < coords; c++) {
            Tensor x = posF.narrow(2, c, 1); // (B, n, 1)
            Tensor y = x.mul(new Scalar(2 * Math.PI)).div(dimT); // (B, n, F)
            Tensor sin = y.slice(2, new LongOptional(0), new LongOptional(numPosFeats), 2).sin(); // (B, n, F/2)
            Tensor cos = y.slice(2, new LongOptional(1), new LongOptional(numPosFeats), 2).cos(); // (B, n, F/2)
            parts.add(stack(new TensorVector(sin, cos), 3).flatten(2, 3)); // (B, n, F)
        }
        if (exchangeXy) {
            Tensor first = parts.get(0);
            parts.set(0, parts.get(1));
            parts.set(1, first);
        }
        return parts.size() == 1 ? parts.get(0) : cat(new TensorVector(parts.toArray(new Tensor[0])), 2); // (B, n, k*F)
    }
}
