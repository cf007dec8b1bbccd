package dev.groundingdino.internal.deformable;

import static org.bytedeco.pytorch.global.torch.grid_sampler;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * ms_deform_attn.py::MultiScaleDeformableAttention (imported as {@code MSDeformAttn} in transformer.py), with the
 * semantics of the pure-PyTorch path {@code multi_scale_deformable_attn_pytorch} that the reference takes on CPU.
 *
 * <p>Per query, head, level and point a sampling location is predicted around the query's reference point (2-d
 * points {@code loc = ref + off / (W, H)}; 4-d boxes {@code loc = ref_xy + off / n_points * ref_wh * 0.5}); the value
 * map of that level is sampled bilinearly there ({@code grid_sample}, zeros padding, {@code align_corners=False}) and
 * the samples are summed with softmax weights taken jointly over levels and points.
 *
 * <p>Implementation: instead of one {@code grid_sample} per level followed by a stack, all levels (and all images of
 * the batch) are sampled by ONE {@code grid_sampler} call. The levels' value maps are laid out one below the other
 * in a single zero-initialised canvas (one zero row between consecutive levels, right-padded with zeros to the
 * widest level) in channels-last order, so the bilinear neighbours that fall outside a level read zeros exactly like
 * the per-level call; points whose vertical coordinate leaves the level by a full pixel (which would reach a
 * neighbouring level in the canvas, and contribute exactly zero in the reference) get attention weight 0. The query
 * dimension is processed in chunks, each in its own {@link PointerScope}, to bound the
 * (heads, head_dim, queries, levels*points) intermediate; the whole forward runs in a nested scope so the layer's
 * temporaries are freed when it returns (its output is handed to the caller's scope).
 */
public final class MSDeformAttn {
    /** Upper bound (in elements) of the per-chunk sampled intermediate: 4M floats = 16 MiB. */
    private static final long CHUNK_ELEMENTS = 4L << 20;

    private final MSDeformAttnConfig cfg;
    private final Tensor samplingOffsetsWeight;
    private final Tensor samplingOffsetsBias;
    private final Tensor attentionWeightsWeight;
    private final Tensor attentionWeightsBias;
    private final Tensor valueProjWeight;
    private final Tensor valueProjBias;
    private final Tensor outputProjWeight;
    private final Tensor outputProjBias;

    /** Declares/loads {@code sampling_offsets}, {@code attention_weights}, {@code value_proj}, {@code output_proj}. */
    public MSDeformAttn(MSDeformAttnConfig cfg, ParamTree p) {
        this.cfg = cfg;
        long c = cfg.embedDim();
        long hlp = (long) cfg.numHeads() * cfg.numLevels() * cfg.numPoints();
        ParamTree so = p.child("sampling_offsets");
        this.samplingOffsetsWeight = so.param("weight", hlp * 2, c);
        this.samplingOffsetsBias = so.param("bias", hlp * 2);
        ParamTree aw = p.child("attention_weights");
        this.attentionWeightsWeight = aw.param("weight", hlp, c);
        this.attentionWeightsBias = aw.param("bias", hlp);
        ParamTree vp = p.child("value_proj");
        this.valueProjWeight = vp.param("weight", c, c);
        this.valueProjBias = vp.param("bias", c);
        ParamTree op = p.child("output_proj");
        this.outputProjWeight = op.param("weight", c, c);
        this.outputProjBias = op.param("bias", c);
    }

    public MSDeformAttnConfig config() {
        return cfg;
    }

    /**
     * Batch-first forward ({@code batch_first=True} as used by GroundingDINO's encoder and decoder layers).
     *
     * @param query (B, Q, C) queries, position embedding already added
     * @param value (B, S, C) flattened multi-scale values, S = {@code shapes.total()}
     * @param keyPaddingMask (B, S) bool, true on padding (those value rows are zeroed), or null
     * @param referencePoints (B, Q, L, 2) normalised points (x, y) or (B, Q, L, 4) boxes (cx, cy, w, h)
     * @param shapes the L levels of {@code value}
     * @return (B, Q, C)
     */
    public Tensor forward(Tensor query, Tensor value, Tensor keyPaddingMask, Tensor referencePoints,
            SpatialShapes shapes) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer == null) {
            return forwardInScope(query, value, keyPaddingMask, referencePoints, shapes);
        }
        try (PointerScope inner = new PointerScope()) { // frees the temporaries as soon as the layer is done
            Tensor out = forwardInScope(query, value, keyPaddingMask, referencePoints, shapes);
            outer.attach(out);
            return out;
        }
    }

    private Tensor forwardInScope(Tensor query, Tensor value, Tensor keyPaddingMask, Tensor referencePoints,
            SpatialShapes shapes) {
        long b = query.size(0);
        long q = query.size(1);
        long s = value.size(1);
        int heads = cfg.numHeads();
        int levels = cfg.numLevels();
        int points = cfg.numPoints();
        if (shapes.levels() != levels || shapes.total() != s) {
            throw new IllegalArgumentException("MSDeformAttn expects " + levels + " levels covering " + s
                    + " value tokens, got " + shapes + " (" + shapes.total() + " tokens)");
        }
        Tensor v = linear(value, valueProjWeight, new TensorOptional(valueProjBias)); // (B, S, C)
        if (keyPaddingMask != null && keyPaddingMask.any().item_bool()) { // an all-false mask changes nothing
            v = v.masked_fill(keyPaddingMask.unsqueeze(-1), new Scalar(0.0));
        }
        v = v.view(b, s, heads, cfg.headDim()); // (B, S, M, D)
        Tensor off = linear(query, samplingOffsetsWeight, new TensorOptional(samplingOffsetsBias))
                .view(b, q, heads, levels, points, 2); // (B, Q, M, L, P, 2)
        Tensor aw = linear(query, attentionWeightsWeight, new TensorOptional(attentionWeightsBias))
                .view(b, q, heads, (long) levels * points) // (B, Q, M, L*P)
                .softmax(-1)
                .view(b, q, heads, levels, points); // (B, Q, M, L, P)

        Tensor loc;
        long refDim = referencePoints.size(-1);
        if (refDim == 2) {
            float[] wh = new float[2 * levels];
            for (int l = 0; l < levels; l++) {
                wh[2 * l] = shapes.width(l);
                wh[2 * l + 1] = shapes.height(l);
            }
            Tensor normalizer = tensor(wh).to(off).view(1, 1, 1, levels, 1, 2); // (1, 1, 1, L, 1, 2)
            Tensor ref = referencePoints.unsqueeze(2).unsqueeze(4); // (B, Q, 1, L, 1, 2)
            loc = ref.add(off.div(normalizer)); // (B, Q, M, L, P, 2)
        } else if (refDim == 4) {
            Tensor refXy = referencePoints.narrow(3, 0, 2).unsqueeze(2).unsqueeze(4); // (B, Q, 1, L, 1, 2)
            Tensor refWh = referencePoints.narrow(3, 2, 2).unsqueeze(2).unsqueeze(4); // (B, Q, 1, L, 1, 2)
            loc = refXy.add(off.div(new Scalar((double) points)).mul(refWh).mul(new Scalar(0.5))); // (B,Q,M,L,P,2)
        } else {
            throw new IllegalArgumentException("reference points must end in 2 (points) or 4 (boxes), got " + refDim);
        }
        Tensor out = multiScaleDeformableAttn(v, shapes, loc, aw); // (B, Q, C)
        return linear(out, outputProjWeight, new TensorOptional(outputProjBias));
    }

    /**
     * {@code multi_scale_deformable_attn_pytorch}: samples {@code value} bilinearly at {@code samplingLocations}
     * and sums with {@code attentionWeights}.
     *
     * @param value (B, S, M, D) per-head values of all levels, flattened level by level, row-major
     * @param shapes the levels of {@code value}
     * @param samplingLocations (B, Q, M, L, P, 2) normalised (x, y) in [0, 1] (any value allowed; outside = zeros)
     * @param attentionWeights (B, Q, M, L, P)
     * @return (B, Q, M*D), heads concatenated
     */
    public static Tensor multiScaleDeformableAttn(Tensor value, SpatialShapes shapes, Tensor samplingLocations,
            Tensor attentionWeights) {
        return multiScaleDeformableAttn(value, shapes, samplingLocations, attentionWeights, CHUNK_ELEMENTS);
    }

    /** As {@link #multiScaleDeformableAttn(Tensor, SpatialShapes, Tensor, Tensor)} with a chosen chunk bound. */
    static Tensor multiScaleDeformableAttn(Tensor value, SpatialShapes shapes, Tensor samplingLocations,
            Tensor attentionWeights, long chunkElements) {
        long b = value.size(0);
        long s = value.size(1);
        long m = value.size(2);
        long d = value.size(3);
        long q = samplingLocations.size(1);
        int levels = shapes.levels();
        long points = samplingLocations.size(4);
        if (s != shapes.total() || samplingLocations.size(3) != levels) {
            throw new IllegalArgumentException("value has " + s + " tokens and locations " + samplingLocations.size(3)
                    + " levels, but the spatial shapes are " + shapes);
        }
        long c = m * d;
        int width = shapes.maxWidth();
        int canvasHeight = -1;
        int[] rowOffset = new int[levels];
        for (int l = 0; l < levels; l++) {
            rowOffset[l] = canvasHeight + 1;
            canvasHeight = rowOffset[l] + shapes.height(l); // one zero separator row after each level but the last
        }

        // Canvas (Hc, Wc, B, C): levels stacked vertically, channels last, zeros elsewhere (only the separator rows
        // and the right padding are zeroed; the levels overwrite the rest).
        Tensor canvas = value.new_empty(canvasHeight, width, b, c);
        for (int l = 0; l < levels; l++) {
            int h = shapes.height(l);
            int w = shapes.width(l);
            Tensor level = value.narrow(1, shapes.start(l), (long) h * w)
                    .reshape(b, h, w, c) // (B, H, W, C)
                    .permute(1, 2, 0, 3); // (H, W, B, C)
            Tensor rows = canvas.narrow(0, rowOffset[l], h); // (H, Wc, B, C)
            rows.narrow(1, 0, w).copy_(level);
            if (w < width) {
                rows.narrow(1, w, width - w).zero_();
            }
            if (l + 1 < levels) {
                canvas.narrow(0, rowOffset[l] + h, 1).zero_(); // separator row
            }
        }
        Tensor input = canvas.view(canvasHeight, width, b * m, d).permute(2, 3, 0, 1); // (B*M, D, Hc, Wc) strided view

        // Normalised grid coordinates in the canvas such that the pixel coordinate is the level's loc*W - 0.5.
        float[] scale = new float[2 * levels];
        float[] shift = new float[2 * levels];
        float[] lowY = new float[levels];
        float[] highY = new float[levels];
        for (int l = 0; l < levels; l++) {
            int h = shapes.height(l);
            scale[2 * l] = (float) (2.0 * shapes.width(l) / width);
            shift[2 * l] = -1f;
            scale[2 * l + 1] = (float) (2.0 * h / canvasHeight);
            shift[2 * l + 1] = (float) (2.0 * rowOffset[l] / canvasHeight - 1.0);
            // a sample contributes iff its pixel row y = loc*H - 0.5 lies in (-1, H)
            lowY[l] = (float) (-0.5 / h);
            highY[l] = (float) ((h + 0.5) / h);
        }
        Tensor scaleT = tensor(scale).to(samplingLocations).view(1, 1, 1, levels, 1, 2); // (1, 1, 1, L, 1, 2)
        Tensor shiftT = tensor(shift).to(samplingLocations).view(1, 1, 1, levels, 1, 2); // (1, 1, 1, L, 1, 2)
        Tensor grid = samplingLocations.mul(scaleT).add(shiftT) // (B, Q, M, L, P, 2)
                .permute(0, 2, 1, 3, 4, 5) // (B, M, Q, L, P, 2)
                .reshape(b * m, q, levels * points, 2); // (B*M, Q, L*P, 2)

        Tensor locY = samplingLocations.select(5, 1); // (B, Q, M, L, P)
        Tensor lowT = tensor(lowY).to(samplingLocations).view(1, 1, 1, levels, 1); // (1, 1, 1, L, 1)
        Tensor highT = tensor(highY).to(samplingLocations).view(1, 1, 1, levels, 1); // (1, 1, 1, L, 1)
        Tensor inside = locY.gt(lowT).logical_and(locY.lt(highT)); // (B, Q, M, L, P) bool
        Tensor weights = attentionWeights.mul(inside) // (B, Q, M, L, P)
                .permute(0, 2, 1, 3, 4) // (B, M, Q, L, P)
                .reshape(b * m, 1, q, levels * points); // (B*M, 1, Q, L*P)

        long perQuery = b * m * d * levels * points;
        long chunk = Math.max(1, Math.min(q, chunkElements / Math.max(1, perQuery)));
        Tensor out;
        if (chunk >= q) {
            out = sampleAndReduce(input, grid, weights); // (B*M, D, Q)
        } else {
            out = value.new_empty(new long[] {b * m, d, q}); // (B*M, D, Q)
            for (long q0 = 0; q0 < q; q0 += chunk) {
                long n = Math.min(chunk, q - q0);
                try (PointerScope chunkScope = new PointerScope()) { // frees each chunk's samples right away
                    out.narrow(2, q0, n).copy_(sampleAndReduce(input, grid.narrow(1, q0, n), weights.narrow(2, q0, n)));
                }
            }
        }
        return out.view(b, c, q).transpose(1, 2).contiguous(); // (B, Q, M*D)
    }

    /** grid_sample of one query chunk, weighted in place and summed over levels*points: (B*M, D, n). */
    private static Tensor sampleAndReduce(Tensor input, Tensor grid, Tensor weights) {
        Tensor sampled = grid_sampler(input, grid, 0, 0, false); // (B*M, D, n, L*P), bilinear, zeros
        return sampled.mul_(weights).sum(-1); // (B*M, D, n)
    }
}
