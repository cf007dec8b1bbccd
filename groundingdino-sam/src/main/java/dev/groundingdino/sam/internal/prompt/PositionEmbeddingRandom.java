package dev.groundingdino.sam.internal.prompt;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.ones;
import static org.bytedeco.pytorch.global.torch.stack;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.common.Ops;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code segment_anything/modeling/prompt_encoder.py::PositionEmbeddingRandom}: random Fourier features of 2-d
 * coordinates, {@code [sin(2 pi (2c - 1) G), cos(2 pi (2c - 1) G)]} with the persistent buffer
 * {@code positional_encoding_gaussian_matrix} G [2, F].
 */
public final class PositionEmbeddingRandom {
    private final Tensor gaussian;

    /** Declares/loads {@code positional_encoding_gaussian_matrix} [2, numPosFeats]. */
    public PositionEmbeddingRandom(ParamTree p, int numPosFeats) {
        this.gaussian = p.param("positional_encoding_gaussian_matrix", 2, numPosFeats);
    }

    /** {@code _pe_encoding}: coordinates in [0, 1], {@code (..., 2) -> (..., 2F)}. */
    Tensor encode(Tensor coords) {
        Tensor c = coords.mul(new Scalar(2.0)).sub(new Scalar(1.0)); // (..., 2)
        c = matmul(c, gaussian); // (..., F)
        c = c.mul(new Scalar(2 * Math.PI)); // (..., F)
        return cat(new TensorVector(c.sin(), c.cos()), -1); // (..., 2F)
    }

    /** {@code forward(size)}: the encoding of the centres of an {@code h x w} grid, {@code (2F, h, w)}. */
    public Tensor forward(int h, int w) {
        Tensor grid = ones(new long[] {h, w}, Ops.options(gaussian, ScalarType.Float)); // (h, w)
        Tensor y = grid.cumsum(0).sub(new Scalar(0.5)).div(new Scalar((double) h)); // (h, w)
        Tensor x = grid.cumsum(1).sub(new Scalar(0.5)).div(new Scalar((double) w)); // (h, w)
        Tensor pe = encode(stack(new TensorVector(x, y), -1)); // (h, w, 2F)
        return pe.permute(2, 0, 1); // (2F, h, w)
    }

    /**
     * {@code forward_with_coords}: pixel coordinates (x, y) in an {@code imageH x imageW} input,
     * {@code (B, N, 2) -> (B, N, 2F)}.
     */
    public Tensor forwardWithCoords(Tensor coords, int imageH, int imageW) {
        Tensor x = coords.select(2, 0).div(new Scalar((double) imageW)); // (B, N)
        Tensor y = coords.select(2, 1).div(new Scalar((double) imageH)); // (B, N)
        return encode(stack(new TensorVector(x, y), -1).to(ScalarType.Float)); // (B, N, 2F)
    }
}
