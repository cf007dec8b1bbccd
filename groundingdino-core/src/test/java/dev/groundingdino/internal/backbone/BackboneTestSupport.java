package dev.groundingdino.internal.backbone;

import dev.groundingdino.internal.swin.SwinConfig;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Helpers shared by the backbone and Swin tests: tensor values as Java arrays and the golden tiny config. */
public final class BackboneTestSupport {
    private BackboneTestSupport() {}

    /** The golden "tiny" Swin: embed 16, depths [2, 2, 2, 2], heads [1, 2, 4, 8], window 7 (config.json). */
    public static SwinConfig tinySwin() {
        return SwinConfig.custom(16, List.of(2, 2, 2, 2), List.of(1, 2, 4, 8), 7, 224);
    }

    /** The values of {@code t} in row-major order, as doubles (call inside a scope). */
    public static double[] values(Tensor t) {
        return dev.groundingdino.testing.TensorValues.doubles(t);
    }

    /** max |a - b| over two equally long arrays. */
    public static double maxAbsDiff(double[] a, double[] b) {
        return dev.groundingdino.testing.TensorValues.maxAbsDiff(a, b);
    }
}
