package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.cat;

import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.MLP;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * transformer.py::TransformerDecoder (checkpoint prefix {@code transformer.decoder.}): {@code layers.{i}}, the
 * final {@code norm} and {@code ref_point_head} = MLP(512, 256, 256, 2). Per layer: the query position is
 * {@code ref_point_head(gen_sineembed_for_position(ref * valid_ratios))} (sine of (y, x, w, h)); after the layer the
 * reference boxes are refined with the SHARED box head on the un-normalised output,
 * {@code ref = sigmoid(bbox_embed[i](out) + inverse_sigmoid(ref))}; the layer's hidden state is
 * {@code norm(out)}.
 *
 * <p>The box heads belong to the detector ({@code bbox_embed}; the reference assigns the same ModuleList to
 * {@code transformer.decoder.bbox_embed}) and are passed to {@link #forward}.
 */
public final class TransformerDecoder {
    /**
     * The decoder's outputs.
     *
     * @param hs per layer, {@code norm(out)} (B, Q, C)
     * @param references the reference boxes in sigmoid space, initial first: {@code layers + 1} tensors (B, Q, 4)
     */
    public record Output(List<Tensor> hs, List<Tensor> references) {}

    private final DeformableTransformerDecoderLayer[] layers;
    private final LayerNorm norm;
    private final MLP refPointHead;
    private final Tensor sineDimT; // (128) float32 on the model's device; null in declare mode
    private final TransformerConfig.BoxLogit boxLogit;

    public TransformerDecoder(TransformerConfig cfg, ParamTree p) {
        int d = cfg.dModel();
        this.layers = new DeformableTransformerDecoderLayer[cfg.decLayers()];
        ParamTree lp = p.child("layers");
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new DeformableTransformerDecoderLayer(cfg, lp.child(i));
        }
        this.norm = new LayerNorm(d, p.child("norm"));
        this.sineDimT = p.placement() == null ? null
                : p.constant(() -> TransformerUtils.sineembedDimT(p.placement().options(ScalarType.Float)));
        this.refPointHead = new MLP(2 * d, d, d, 2, p.child("ref_point_head")); // query_dim // 2 * d_model inputs
        this.boxLogit = cfg.boxLogit();
    }

    /** Number of decoder layers. */
    public int numLayers() {
        return layers.length;
    }

    /**
     * @param tgt (B, Q, C) initial content queries
     * @param refpointsUnsigmoid (B, Q, 4) initial reference boxes before sigmoid
     * @param memory (B, S, C) image memory
     * @param memoryPaddingMask (B, S) bool, true on padding
     * @param shapes the levels
     * @param validRatios (B, L, 2)
     * @param memoryText (B, n, C)
     * @param textPaddingMask (B, n) bool, true on padding tokens
     * @param bboxEmbed one box head per layer (the detector's {@code bbox_embed})
     * @param trace receives {@code dec{i}_out}, or null
     */
    public Output forward(Tensor tgt, Tensor refpointsUnsigmoid, Tensor memory, Tensor memoryPaddingMask,
            SpatialShapes shapes, Tensor validRatios, Tensor memoryText, Tensor textPaddingMask, MLP[] bboxEmbed,
            Trace trace) {
        if (bboxEmbed.length != layers.length) {
            throw new IllegalArgumentException("need one box head per decoder layer (" + layers.length + "), got "
                    + bboxEmbed.length);
        }
        Tensor output = tgt;
        Tensor referencePoints = refpointsUnsigmoid.sigmoid(); // (B, Q, 4)
        Tensor ratios4 = cat(new TensorVector(validRatios, validRatios), -1).unsqueeze(1); // (B, 1, L, 4)
        List<Tensor> hs = new ArrayList<>(layers.length);
        List<Tensor> refs = new ArrayList<>(layers.length + 1);
        refs.add(referencePoints);
        for (int i = 0; i < layers.length; i++) {
            final int layer = i;
            Tensor tgtIn = output;
            Tensor refIn = referencePoints;
            output = Scopes.tensor(() -> {
                Tensor referenceInput = refIn.unsqueeze(2).mul(ratios4); // (B, Q, L, 4)
                Tensor querySine = TransformerUtils.genSineembedForPosition(referenceInput.select(2, 0), // (B,Q,512)
                        sineDimT != null ? sineDimT : TransformerUtils.sineembedDimT(TransformerUtils.floatOptions(refIn)));
                Tensor queryPos = refPointHead.forward(querySine); // (B, Q, C)
                return layers[layer].forward(tgtIn, queryPos, referenceInput, memoryText, textPaddingMask, memory,
                        memoryPaddingMask, shapes);
            });
            Trace.record(trace, "dec" + i + "_out", output);
            Tensor out = output;
            referencePoints = Scopes.tensor(() -> bboxEmbed[layer].forward(out) // (B, Q, 4)
                    .add(boxLogit.apply(refIn))
                    .sigmoid());
            refs.add(referencePoints);
            hs.add(norm.forward(output));
        }
        return new Output(hs, refs);
    }
}
