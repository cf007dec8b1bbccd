package dev.groundingdino.sam.internal.sam2.backbones;

import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.upsample_nearest2d;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.sam2.layers.PositionEmbeddingSine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code sam2/modeling/backbones/image_encoder.py::FpnNeck}: a 1x1 lateral convolution ({@code convs.i.conv}) per
 * trunk stage to {@code d_model} channels, visited from the lowest resolution up; the levels listed in
 * {@code fpn_top_down_levels} add the previous (coarser) level upsampled 2x with nearest interpolation (computed
 * in float32, {@code fuse_type="sum"}), the others keep their lateral features only. {@code convs.0} belongs to the
 * LOWEST-resolution stage ({@code backbone_channel_list} is listed lowest resolution first).
 *
 * <p>The neck's {@code position_encoding} ({@link PositionEmbeddingSine}) has no weights; {@link ImageEncoder}
 * computes the one encoding any SAM 2 path reads once at load.
 */
public final class FpnNeck {
    private final List<Tensor> weights;
    private final List<Tensor> biases;
    private final List<Integer> topDownLevels;
    private final PositionEmbeddingSine positionEncoding;

    /**
     * Declares/loads {@code convs.i.conv.weight} [dModel, C_i, 1, 1] and {@code .bias} under {@code p}
     * ({@code image_encoder.neck}).
     *
     * @param backboneChannelList the trunk's stage widths, lowest resolution first
     */
    public FpnNeck(ParamTree p, int dModel, List<Integer> backboneChannelList, List<Integer> topDownLevels) {
        List<Tensor> w = new ArrayList<>();
        List<Tensor> b = new ArrayList<>();
        ParamTree convs = p.child("convs");
        for (int i = 0; i < backboneChannelList.size(); i++) {
            ParamTree conv = convs.child(i).child("conv");
            w.add(conv.param("weight", dModel, backboneChannelList.get(i), 1, 1));
            b.add(conv.param("bias", dModel));
        }
        this.weights = Arrays.asList(w.toArray(new Tensor[0])); // may hold nulls in declare mode
        this.biases = Arrays.asList(b.toArray(new Tensor[0]));
        this.topDownLevels = List.copyOf(topDownLevels);
        this.positionEncoding = new PositionEmbeddingSine(dModel);
    }

    /**
     * The trunk's stage outputs, highest resolution first, to the FPN features {@code (B, dModel, H_i, W_i)}, highest
     * resolution first.
     */
    public List<Tensor> forward(List<Tensor> xs) {
        int n = weights.size() - 1;
        if (xs.size() != n + 1) {
            throw new IllegalArgumentException("FpnNeck has " + (n + 1) + " levels, got " + xs.size() + " inputs");
        }
        Tensor[] out = new Tensor[n + 1];
        Tensor prev = null;
        for (int i = n; i >= 0; i--) {
            Tensor w = weights.get(n - i);
            Tensor x = xs.get(i);
            if (x.scalar_type().intern() != w.scalar_type().intern()) {
                x = x.to(w.scalar_type()); // a bfloat16 trunk feeds the float32 neck
            }
            Tensor lateral = conv2d(x, w, new TensorOptional(biases.get(n - i)), new long[] {1, 1},
                    new long[] {0, 0}, new long[] {1, 1}, 1); // (B, dModel, H_i, W_i)
            if (topDownLevels.contains(i) && prev != null) {
                Tensor p = prev.to(ScalarType.Float);
                Tensor topDown = upsample_nearest2d(p, new long[] {2 * p.size(2), 2 * p.size(3)}); // (B, d, 2h, 2w)
                prev = lateral.add(topDown);
            } else {
                prev = lateral;
            }
            out[i] = prev;
        }
        return List.of(out);
    }

    /** The neck's {@code position_encoding}. */
    public PositionEmbeddingSine positionEncoding() {
        return positionEncoding;
    }

    /** The first lateral weight (for its device). */
    Tensor anyWeight() {
        return weights.get(0);
    }
}
