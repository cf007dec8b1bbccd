package dev.groundingdino.internal.nn;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.pow;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

/**
 * The frequency table shared by every sine position encoding of the reference ({@code position_encoding.py},
 * {@code utils.py::get_sine_pos_embed}, {@code gen_sineembed_for_position}):
 * {@code dim_t = temperature ** (2 * (arange(F) // 2) / F)} in float32. Models build it once per encoding at load,
 * on their device ({@code ParamTree.constant}).
 */
public final class SineTables {
    private SineTables() {}

    /**
     * @param numPosFeats {@code F}, positive
     * @param temperature the base
     * @param floatOptions float32 options on the target device
     * @return (F) float32
     */
    public static Tensor dimT(int numPosFeats, double temperature, TensorOptions floatOptions) {
        if (numPosFeats <= 0) {
            throw new IllegalArgumentException("numPosFeats must be positive, got " + numPosFeats);
        }
        Tensor dim = arange(new Scalar((double) numPosFeats), floatOptions); // (F)
        // 2 * floor(i / 2) / F: floor(i / 2) is exact in float32, as torch.div(..., rounding_mode="floor") is
        Tensor exponent = dim.div(new Scalar(2.0)).floor().mul(new Scalar(2.0))
                .div(new Scalar((double) numPosFeats)); // (F)
        return pow(new Scalar(temperature), exponent); // (F)
    }
}
