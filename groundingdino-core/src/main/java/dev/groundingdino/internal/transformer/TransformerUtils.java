package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.floor_divide;
import static org.bytedeco.pytorch.global.torch.linspace;
import static org.bytedeco.pytorch.global.torch.log;
import static org.bytedeco.pytorch.global.torch.meshgrid;
import static org.bytedeco.pytorch.global.torch.pow;
import static org.bytedeco.pytorch.global.torch.rsub;
import static org.bytedeco.pytorch.global.torch.stack;

import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.nn.SineTables;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * groundingdino/models/GroundingDINO/utils.py ({@code gen_encoder_output_proposals},
 * {@code gen_sineembed_for_position}), util/misc.py ({@code inverse_sigmoid}) and the small static helpers of
 * transformer.py ({@code Transformer.get_valid_ratio}, {@code TransformerEncoder.get_reference_points}), each
 * in the reference's float32 op order.
 */
public final class TransformerUtils {
    /** {@code inverse_sigmoid}'s default epsilon. */
    public static final double INVERSE_SIGMOID_EPS = 1e-3;

    private TransformerUtils() {}

    /** The two outputs of {@link #genEncoderOutputProposals}. */
    public record Proposals(Tensor outputMemory, Tensor outputProposals) {}

    /**
     * {@code gen_encoder_output_proposals(memory, memory_padding_mask, spatial_shapes)} without learned wh.
     *
     * <p>Per level {@code l}: centres {@code ((x + 0.5) / validW, (y + 0.5) / validH)}, size {@code 0.05 * 2^l};
     * a proposal is valid iff all four numbers are in (0.01, 0.99) (float32 comparison); stored unsigmoided
     * {@code log(p / (1 - p))}, +inf where invalid or padded; memory rows zeroed there.
     *
     * @param memory (B, S, C)
     * @param paddingMask (B, S) bool, true on padding
     * @param shapes the levels
     * @return output memory (B, S, C) and proposals (B, S, 4)
     */
    public static Proposals genEncoderOutputProposals(Tensor memory, Tensor paddingMask, SpatialShapes shapes) {
        ProposalGeometry g = proposalGeometry(paddingMask, shapes);
        return apply(memory, paddingMask, g);
    }

    /**
     * The memory-independent half of {@link #genEncoderOutputProposals}: the proposals and where they are invalid.
     * Without padding it depends on the sizes alone (a per-size constant of the model).
     *
     * @param outputProposals (N, S, 4) unsigmoided, +inf where invalid or padded
     * @param invalid (N, S, 1) bool, true where a proposal is outside (0.01, 0.99)
     */
    public record ProposalGeometry(Tensor outputProposals, Tensor invalid) {}

    /** {@link ProposalGeometry} of a padding mask (B, S). */
    public static ProposalGeometry proposalGeometry(Tensor paddingMask, SpatialShapes shapes) {
        long n = paddingMask.size(0);
        TensorOptions floats = floatOptions(paddingMask);
        TensorVector proposals = new TensorVector();
        for (int l = 0; l < shapes.levels(); l++) {
            int h = shapes.height(l);
            int w = shapes.width(l);
            Tensor mask = paddingMask.narrow(1, shapes.start(l), (long) h * w).view(n, h, w, 1); // (N, H, W, 1)
            Tensor validH = mask.select(3, 0).select(2, 0).logical_not().sum(1); // (N) int64
            Tensor validW = mask.select(3, 0).select(1, 0).logical_not().sum(1); // (N) int64
            TensorVector grids = meshgrid(new TensorVector(
                    linspace(new Scalar(0.0), new Scalar(h - 1.0), h, floats),
                    linspace(new Scalar(0.0), new Scalar(w - 1.0), w, floats)), "ij");
            Tensor gridY = new Tensor(grids.get(0)); // (H, W), own handle (get is a reference into the vector)
            Tensor gridX = new Tensor(grids.get(1)); // (H, W)
            Tensor grid = cat(new TensorVector(gridX.unsqueeze(-1), gridY.unsqueeze(-1)), -1); // (H, W, 2)
            Tensor scale = cat(new TensorVector(validW.unsqueeze(-1), validH.unsqueeze(-1)), 1)
                    .view(n, 1, 1, 2); // (N, 1, 1, 2) (valid W, valid H)
            grid = grid.unsqueeze(0).expand(n, -1, -1, -1).add(new Scalar(0.5)).div(scale); // (N, H, W, 2)
            Tensor wh = grid.new_ones(n, h, w, 2).mul(new Scalar(0.05)).mul(new Scalar(Math.pow(2.0, l)));
            proposals.push_back(cat(new TensorVector(grid, wh), -1).view(n, -1, 4)); // (N, H*W, 4)
        }
        Tensor outputProposals = cat(proposals, 1); // (N, S, 4)
        Tensor valid = outputProposals.gt(new Scalar(0.01)).logical_and(outputProposals.lt(new Scalar(0.99)))
                .all(-1, true); // (N, S, 1)
        Tensor invalid = valid.logical_not(); // (N, S, 1)
        Tensor padded = paddingMask.unsqueeze(-1); // (N, S, 1)
        Scalar inf = new Scalar(Double.POSITIVE_INFINITY);
        outputProposals = log(outputProposals.div(rsub(outputProposals, new Scalar(1.0)))) // (N, S, 4)
                .masked_fill(padded, inf)
                .masked_fill(invalid, inf);
        return new ProposalGeometry(outputProposals, invalid);
    }

    /**
     * {@link #genEncoderOutputProposals} from its geometry: memory rows zeroed where padded ({@code paddingMask}, or
     * null for an unpadded batch) or invalid.
     */
    public static Proposals apply(Tensor memory, Tensor paddingMask, ProposalGeometry g) {
        Scalar zero = new Scalar(0.0);
        Tensor outputMemory = paddingMask == null ? memory : memory.masked_fill(paddingMask.unsqueeze(-1), zero);
        outputMemory = outputMemory.masked_fill(g.invalid(), zero); // (N, S, C)
        return new Proposals(outputMemory, g.outputProposals());
    }

    /**
     * {@code gen_sineembed_for_position}: 128 sine features per coordinate (temperature 10000, scale 2 pi, no
     * normalisation), interleaved sin/cos, concatenated in the order (y, x) for 2 coordinates and (y, x, w, h)
     * for 4.
     *
     * @param pos (B, N, 2) or (B, N, 4)
     * @return (B, N, 256) or (B, N, 512)
     */
    public static Tensor genSineembedForPosition(Tensor pos) {
        return genSineembedForPosition(pos, sineembedDimT(floatOptions(pos)));
    }

    /** The frequency table of {@link #genSineembedForPosition}: 128 features, temperature 10000. (128) float32. */
    public static Tensor sineembedDimT(TensorOptions floatOptions) {
        return SineTables.dimT(128, 10000.0, floatOptions);
    }

    /**
     * {@link #genSineembedForPosition(Tensor)} with its frequency table given (a model constant from
     * {@link #sineembedDimT}).
     */
    public static Tensor genSineembedForPosition(Tensor pos, Tensor dimT) {
        long coords = pos.size(-1);
        if (coords != 2 && coords != 4) {
            throw new IllegalArgumentException("positions must end in 2 or 4 coordinates, got " + coords);
        }
        Scalar scale = new Scalar(2 * Math.PI);
        Tensor[] parts = new Tensor[(int) coords];
        for (int c = 0; c < coords; c++) {
            Tensor embed = pos.select(2, c).mul(scale).unsqueeze(2).div(dimT); // (B, N, 128)
            Tensor sin = embed.slice(2, new LongOptional(0), new LongOptional(), 2).sin(); // (B, N, 64)
            Tensor cos = embed.slice(2, new LongOptional(1), new LongOptional(), 2).cos(); // (B, N, 64)
            parts[c] = stack(new TensorVector(sin, cos), 3).flatten(2, -1); // (B, N, 128)
        }
        TensorVector order = coords == 2 ? new TensorVector(parts[1], parts[0])
                : new TensorVector(parts[1], parts[0], parts[2], parts[3]);
        return cat(order, 2); // (B, N, 128 * coords)
    }

    /** {@code inverse_sigmoid(x, eps=1e-3)}: {@code log(max(x, eps) / max(1 - x, eps))} after clamping to [0, 1]. */
    public static Tensor inverseSigmoid(Tensor x) {
        Tensor c = x.clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(1.0)));
        Tensor x1 = c.clamp(new ScalarOptional(new Scalar(INVERSE_SIGMOID_EPS)), new ScalarOptional());
        Tensor x2 = rsub(c, new Scalar(1.0)).clamp(new ScalarOptional(new Scalar(INVERSE_SIGMOID_EPS)),
                new ScalarOptional());
        return log(x1.div(x2));
    }

    /**
     * {@code torch.special.logit(x, eps)}: {@code log(z / (1 - z))} with {@code z = clamp(x, eps, 1 - eps)} (the
     * inverse sigmoid of transformers' GroundingDINO port, eps 1e-5), computed by libtorch's own kernel.
     */
    public static Tensor logit(Tensor x, double eps) {
        return org.bytedeco.pytorch.global.torch.logit(x, new org.bytedeco.pytorch.DoubleOptional(eps));
    }

    /**
     * {@code Transformer.get_valid_ratio}: the fraction of unpadded rows and columns of one level's mask.
     *
     * @param mask (B, H, W) bool, true on padding
     * @return (B, 2) float (w ratio, h ratio)
     */
    public static Tensor validRatio(Tensor mask) {
        long h = mask.size(1);
        long w = mask.size(2);
        Tensor validH = mask.select(2, 0).logical_not().sum(1); // (B)
        Tensor validW = mask.select(1, 0).logical_not().sum(1); // (B)
        Tensor ratioH = validH.to(ScalarType.Float).div(new Scalar((double) h)); // (B)
        Tensor ratioW = validW.to(ScalarType.Float).div(new Scalar((double) w)); // (B)
        return stack(new TensorVector(ratioW, ratioH), -1); // (B, 2)
    }

    /**
     * {@code TransformerEncoder.get_reference_points}: the centre of every token of every level, normalised by
     * the valid size of the level, then multiplied by every level's valid ratio.
     *
     * @param shapes the levels
     * @param validRatios (B, L, 2)
     * @return (B, S, L, 2)
     */
    public static Tensor encoderReferencePoints(SpatialShapes shapes, Tensor validRatios) {
        TensorOptions floats = floatOptions(validRatios);
        TensorVector perLevel = new TensorVector();
        for (int l = 0; l < shapes.levels(); l++) {
            int h = shapes.height(l);
            int w = shapes.width(l);
            TensorVector grids = meshgrid(new TensorVector(
                    linspace(new Scalar(0.5), new Scalar(h - 0.5), h, floats),
                    linspace(new Scalar(0.5), new Scalar(w - 0.5), w, floats)), "ij");
            Tensor refY = new Tensor(grids.get(0)).reshape(-1).unsqueeze(0) // (1, HW)
                    .div(validRatios.select(1, l).select(1, 1).unsqueeze(1).mul(new Scalar((double) h))); // (B, HW)
            Tensor refX = new Tensor(grids.get(1)).reshape(-1).unsqueeze(0) // (1, HW)
                    .div(validRatios.select(1, l).select(1, 0).unsqueeze(1).mul(new Scalar((double) w))); // (B, HW)
            perLevel.push_back(stack(new TensorVector(refX, refY), -1)); // (B, HW, 2)
        }
        Tensor ref = cat(perLevel, 1); // (B, S, 2)
        return ref.unsqueeze(2).mul(validRatios.unsqueeze(1)); // (B, S, L, 2)
    }

    static TensorOptions floatOptions(Tensor like) {
        return new TensorOptions(ScalarType.Float).device(new DeviceOptional(like.device()));
    }
}
