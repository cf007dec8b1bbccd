package dev.groundingdino.internal.nn;

import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.mkldnn_convolution;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code torch.nn.Linear(in, out, bias)}: {@code weight [out, in]} and optionally {@code bias [out]}, applied to the
 * last dimension ({@code y = x @ weight^T + bias}).
 *
 * <p>CPU float32 products run on oneDNN rather than on {@code torch.linear}: this libtorch build has no MKL, so
 * {@code linear} calls OpenBLAS, whose own pthread pool competes with the OpenMP pool of every other op. On the
 * project's 2-core machine OpenBLAS reached 25-105 GFLOP/s (with 20 ms stalls on tiny products) where oneDNN's
 * 1x1 convolution, run on a channels-last VIEW of the same rows (no copy), reached 90-250 GFLOP/s. The result is the
 * same product, summed in another order (relative difference ~1e-6). Other devices and dtypes use {@code linear}
 * (bfloat16 {@code linear} is already oneDNN's).
 *
 * <p>An input of another floating-point type than the weight is converted to the weight's type first (a float32
 * geometry feature entering a bfloat16 model), so the output always has the weight's type.
 */
public final class Linear {
    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias; // null without bias

    /** A layer with bias: declares/loads {@code weight} and {@code bias} under {@code p}. */
    public Linear(int inFeatures, int outFeatures, ParamTree p) {
        this(inFeatures, outFeatures, true, p);
    }

    /** Declares/loads {@code weight} and, if {@code hasBias}, {@code bias} under {@code p}. */
    public Linear(int inFeatures, int outFeatures, boolean hasBias, ParamTree p) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("a Linear layer needs positive widths, got " + inFeatures + " -> "
                    + outFeatures + " at " + p.fullName("weight"));
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = p.param("weight", outFeatures, inFeatures);
        this.bias = hasBias ? p.param("bias", outFeatures) : null;
    }

    /** {@code x @ weight^T + bias} over the last dimension of {@code x}: (..., in) to (..., out). */
    public Tensor forward(Tensor x) {
        return apply(x, weight, bias);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** The weight (out, in), or null in declare mode. */
    public Tensor weight() {
        return weight;
    }

    /** The bias (out), or null without bias or in declare mode. */
    public Tensor bias() {
        return bias;
    }

    /**
     * {@code F.linear(x, weight, bias)} with the CPU float32 product on oneDNN (see the class comment).
     *
     * @param x (..., in)
     * @param weight (out, in)
     * @param bias (out), or null
     * @return (..., out)
     */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        ScalarType type = weight.scalar_type();
        if (x.scalar_type().intern() != type.intern()) {
            x = x.to(type);
        }
        if (useOneDnn(x, weight)) {
            long in = weight.size(1);
            long out = weight.size(0);
            long rows = x.numel() / in;
            long[] shape = x.sizes().vec().get();
            shape[shape.length - 1] = out;
            // (rows, in) rows seen as a channels-last (1, in, rows, 1) image: a 1x1 convolution is x @ W^T
            Tensor image = x.reshape(1, rows, 1, in).permute(0, 3, 1, 2); // (1, in, rows, 1) channels-last view
            Tensor y = mkldnn_convolution(image, weight.view(out, in, 1, 1),
                    bias == null ? new TensorOptional() : new TensorOptional(bias), new long[] {0, 0},
                    new long[] {1, 1}, new long[] {1, 1}, 1); // (1, out, rows, 1) channels-last
            return y.permute(0, 2, 3, 1).view(shape); // (..., out)
        }
        return bias == null ? linear(x, weight) : linear(x, weight, new TensorOptional(bias));
    }

    private static boolean useOneDnn(Tensor x, Tensor weight) {
        return OneDnn.AVAILABLE && x.dim() >= 1 && x.numel() > 0 && weight.is_contiguous()
                && x.scalar_type().intern() == ScalarType.Float && weight.scalar_type().intern() == ScalarType.Float
                && x.device().is_cpu() && weight.device().is_cpu() && x.size(-1) == weight.size(1);
    }

    /** Whether this libtorch has oneDNN (looked up on first use, after the natives are loaded). */
    private static final class OneDnn {
        static final boolean AVAILABLE = torch.hasMKLDNN();
    }
}
