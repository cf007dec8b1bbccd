package dev.groundingdino.internal.transformer;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.gather;
import static org.bytedeco.pytorch.global.torch.stack;
import static org.bytedeco.pytorch.global.torch.topk;

import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.nn.MLP;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.internal.runtime.TensorCache;
import java.util.List;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * transformer.py::Transformer with {@code two_stage_type="standard"} (checkpoint prefix {@code transformer.}):
 * flattens the multi-scale features (plus {@code level_embed} on the position embedding), runs the
 * {@link TransformerEncoder}, selects the top {@code num_queries} encoder tokens (two-stage query selection:
 * {@code enc_output} + {@code enc_output_norm}, contrastive class logits against the text memory, proposals from
 * {@link TransformerUtils#genEncoderOutputProposals}, {@code enc_out_bbox_embed} refinement) and runs the
 * {@link TransformerDecoder} from those reference boxes with the learned {@code tgt_embed} queries
 * ({@code embed_init_tgt}) or the selected encoder outputs.
 */
public final class Transformer {
    /**
     * The text side as the transformer consumes it ({@code text_dict}).
     *
     * @param encodedText (B, n, C) {@code feat_map} output
     * @param textTokenMask (B, n) bool, true on real tokens
     * @param positionIds (B, n) int64 sub-sentence position ids
     * @param textSelfAttentionMasks (B, n, n) bool, true = may attend
     */
    public record TextFeatures(Tensor encodedText, Tensor textTokenMask, Tensor positionIds,
            Tensor textSelfAttentionMasks) {}

    /**
     * The transformer's outputs.
     *
     * @param hs per decoder layer, the normalised hidden states (B, Q, C)
     * @param references reference boxes in sigmoid space, initial first (decLayers + 1 tensors (B, Q, 4))
     * @param memoryText (B, n, C) the text memory after the encoder (used by the class head)
     */
    public record Output(List<Tensor> hs, List<Tensor> references, Tensor memoryText) {}

    private final TransformerConfig cfg;
    private final Tensor levelEmbed;
    private final TransformerEncoder encoder;
    private final TransformerDecoder decoder;
    private final Tensor tgtEmbed; // null without embed_init_tgt
    private final Linear encOutput;
    private final LayerNorm encOutputNorm;
    private final MLP encOutBboxEmbed;
    private final ContrastiveEmbed encOutClassEmbed;
    private final TensorCache sizeCache; // the model's per-size cache

    public Transformer(TransformerConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int d = cfg.dModel();
        this.levelEmbed = p.param("level_embed", cfg.numFeatureLevels(), d);
        this.sizeCache = p.sizeCache();
        this.encoder = new TransformerEncoder(cfg, p.child("encoder"));
        ParamTree dp = p.child("decoder");
        this.decoder = new TransformerDecoder(cfg, dp);
        if (p.declaring()) {
            // The detector's bbox_embed ModuleList is also registered as transformer.decoder.bbox_embed (one storage,
            // two key spellings); declare the second spelling so declared names equal the checkpoint's keys.
            ParamTree bp = dp.child("bbox_embed");
            for (int i = 0; i < cfg.decLayers(); i++) {
                new MLP(d, d, 4, 3, bp.child(i));
            }
        }
        this.tgtEmbed = cfg.embedInitTgt() ? p.param("tgt_embed.weight", cfg.numQueries(), d) : null;
        this.encOutput = new Linear(d, d, p.child("enc_output"));
        this.encOutputNorm = new LayerNorm(d, p.child("enc_output_norm"));
        this.encOutBboxEmbed = new MLP(d, d, 4, 3, p.child("enc_out_bbox_embed"));
        this.encOutClassEmbed = ContrastiveEmbed.of(cfg, p.child("enc_out_class_embed"));
    }

    public TransformerConfig config() {
        return cfg;
    }

    public TransformerDecoder decoder() {
        return decoder;
    }

    /**
     * The encoder's outputs and everything the query selection and the decoder need from the inputs.
     *
     * @param memory (B, S, C) image memory
     * @param memoryText (B, n, C) text memory
     * @param mask (B, S) bool, true on padding
     * @param padded whether any image token is padding (known on the host); without padding the deformable
     *     attention and the fusion skip the mask
     * @param shapes the levels of the token sequence
     * @param validRatios (B, L, 2)
     * @param textTokenMask (B, n) bool, true on real tokens
     * @param textPadding (B, n) bool, true on padding tokens
     */
    public record Encoded(Tensor memory, Tensor memoryText, Tensor mask, boolean padded, SpatialShapes shapes,
            Tensor validRatios, Tensor textTokenMask, Tensor textPadding) {
        Tensor[] tensors() {
            return new Tensor[] {memory, memoryText, mask, validRatios, textTokenMask, textPadding};
        }
    }

    /**
     * The decoder's starting point chosen by the two-stage query selection.
     *
     * @param tgt (B, Q, C) content queries
     * @param refpointsUnsigmoid (B, Q, 4) reference boxes before sigmoid
     */
    public record Queries(Tensor tgt, Tensor refpointsUnsigmoid) {}

    /**
     * @param srcs per level (B, C, H_l, W_l) projected features
     * @param masks per level (B, H_l, W_l) bool, true on padding
     * @param posEmbeds per level (B, C, H_l, W_l) position embeddings (without level embedding)
     * @param padded whether any mask entry is true (known on the host)
     * @param text the text side
     * @param bboxEmbed the detector's box heads, one per decoder layer
     * @param trace receives the encoder/selection/decoder intermediates, or null
     */
    public Output forward(List<Tensor> srcs, List<Tensor> masks, List<Tensor> posEmbeds, boolean padded,
            TextFeatures text, MLP[] bboxEmbed, Trace trace) {
        Encoded enc = encode(srcs, masks, posEmbeds, padded, text, trace);
        return decode(enc, selectQueries(enc, trace), bboxEmbed, trace);
    }

    /**
     * Flattens the levels and runs the encoder. Without a trace, the intermediates are freed before it returns.
     *
     * @param srcs per level (B, C, H_l, W_l) projected features
     * @param masks per level (B, H_l, W_l) bool, true on padding
     * @param posEmbeds per level (B, C, H_l, W_l) position embeddings (without level embedding)
     * @param padded whether any mask entry is true (known on the host)
     * @param text the text side
     * @param trace receives {@code enc*}, {@code memory}, {@code memory_text}, or null
     */
    public Encoded encode(List<Tensor> srcs, List<Tensor> masks, List<Tensor> posEmbeds, boolean padded,
            TextFeatures text, Trace trace) {
        int levels = srcs.size();
        if (levels != cfg.numFeatureLevels() || masks.size() != levels || posEmbeds.size() != levels) {
            throw new IllegalArgumentException("the transformer expects " + cfg.numFeatureLevels()
                    + " levels of features, masks and position embeddings, got " + srcs.size() + ", " + masks.size()
                    + " and " + posEmbeds.size());
        }
        int[] hs = new int[levels];
        int[] ws = new int[levels];
        for (int l = 0; l < levels; l++) {
            hs[l] = (int) srcs.get(l).size(2);
            ws[l] = (int) srcs.get(l).size(3);
        }
        SpatialShapes shapes = new SpatialShapes(hs, ws);
        return Scopes.keepUnless(Trace.keeps(trace), () -> {
            TensorVector srcFlatten = new TensorVector();
            TensorVector maskFlatten = new TensorVector();
            TensorVector posFlatten = new TensorVector();
            TensorVector ratios = new TensorVector();
            for (int l = 0; l < levels; l++) {
                srcFlatten.push_back(srcs.get(l).flatten(2, -1).transpose(1, 2)); // (B, HW, C)
                maskFlatten.push_back(masks.get(l).flatten(1, -1)); // (B, HW)
                posFlatten.push_back(posEmbeds.get(l).flatten(2, -1).transpose(1, 2) // (B, HW, C)
                        .add(levelEmbed.select(0, l).view(1, 1, -1))); // (B, HW, C)
                ratios.push_back(TransformerUtils.validRatio(masks.get(l))); // (B, 2)
            }
            Tensor src = cat(srcFlatten, 1); // (B, S, C)
            Tensor mask = cat(maskFlatten, 1); // (B, S)
            Tensor pos = cat(posFlatten, 1); // (B, S, C)
            Tensor validRatios = stack(ratios, 1); // (B, L, 2) float32
            Tensor textPadding = text.textTokenMask().logical_not(); // (B, n)

            TransformerEncoder.Output enc = encoder.forward(src, pos, shapes, validRatios, padded ? mask : null,
                    text.encodedText(), textPadding, text.textSelfAttentionMasks(), text.positionIds(), trace);
            Trace.record(trace, "memory", enc.memory());
            Trace.record(trace, "memory_text", enc.memoryText());
            return new Encoded(enc.memory(), enc.memoryText(), mask, padded, shapes, validRatios,
                    text.textTokenMask(), textPadding);
        }, Encoded::tensors);
    }

    /**
     * The two-stage query selection: {@code enc_output} + {@code enc_output_norm} on the proposals' memory,
     * contrastive class logits against the text memory, top {@code num_queries} tokens by their best logit, their
     * {@code enc_out_bbox_embed}-refined proposals as reference boxes. Without a trace, the intermediates are freed
     * before it returns.
     *
     * @param trace receives {@code output_memory}, {@code enc_outputs_class}, {@code enc_out_bbox_delta},
     *     {@code output_proposals}, {@code topk_logits}, {@code topk_proposals}, {@code tgt}, or null
     */
    public Queries selectQueries(Encoded enc, Trace trace) {
        return Scopes.keepUnless(Trace.keeps(trace), () -> {
            Tensor memory = enc.memory();
            TransformerUtils.Proposals proposals = TransformerUtils.apply(memory, enc.padded() ? enc.mask() : null,
                    proposalGeometry(enc));
            Tensor outputMemory = encOutputNorm.forward(encOutput.forward(proposals.outputMemory())); // (B, S, C)
            Tensor outputProposals = proposals.outputProposals(); // (B, S, 4)
            Tensor encOutputsClass = encOutClassEmbed.forward(outputMemory, enc.memoryText(),
                    enc.textTokenMask()); // (B, S, 256)
            Tensor topkLogits = new Tensor(encOutputsClass.max(-1, false).get0()); // (B, S)
            Tensor bboxDelta = encOutBboxEmbed.forward(outputMemory); // (B, S, 4)
            Tensor coordUnselected = bboxDelta.add(outputProposals); // (B, S, 4) unsigmoided
            Trace.record(trace, "output_memory", outputMemory);
            Trace.record(trace, "enc_outputs_class", encOutputsClass);
            Trace.record(trace, "enc_out_bbox_delta", bboxDelta);
            Trace.record(trace, "output_proposals", outputProposals);

            long k = cfg.numQueries();
            long s = topkLogits.size(1);
            if (k > s) {
                // fewer tokens than queries: the reference repeats the last (k - S) entries
                long missing = k - s;
                topkLogits = cat(new TensorVector(topkLogits, topkLogits.narrow(1, s - missing, missing)), 1);
                coordUnselected = cat(new TensorVector(coordUnselected,
                        coordUnselected.narrow(1, s - missing, missing)), 1);
                outputMemory = cat(new TensorVector(outputMemory, outputMemory.narrow(1, s - missing, missing)), 1);
            }
            T_TensorTensor_T top = topk(topkLogits, k, 1, true, true);
            Tensor topValues = new Tensor(top.get0()); // (B, Q)
            Tensor topIndices = new Tensor(top.get1()); // (B, Q) int64
            Trace.record(trace, "topk_logits", topValues);
            Trace.record(trace, "topk_proposals", topIndices);

            long b = memory.size(0);
            long d = cfg.dModel();
            Tensor refpointEmbed = gather(coordUnselected, 1, topIndices.unsqueeze(-1).expand(b, k, 4)); // (B, Q, 4)
            Tensor tgt;
            if (tgtEmbed != null) {
                tgt = tgtEmbed.unsqueeze(0).expand(b, k, d); // (B, Q, C)
            } else {
                tgt = gather(outputMemory, 1, topIndices.unsqueeze(-1).expand(b, k, d)); // (B, Q, C)
            }
            Trace.record(trace, "tgt", tgt);
            return new Queries(tgt, refpointEmbed);
        }, q -> new Tensor[] {q.tgt(), q.refpointsUnsigmoid()});
    }

    /**
     * The proposals' geometry: computed from the mask of a padded batch, a per-size constant (cached, expanded over
     * the batch) otherwise.
     */
    private TransformerUtils.ProposalGeometry proposalGeometry(Encoded enc) {
        if (enc.padded()) {
            return TransformerUtils.proposalGeometry(enc.mask(), enc.shapes());
        }
        long b = enc.mask().size(0);
        Tensor mask = enc.mask();
        Tensor[] g = sizeCache.get(new ProposalKey(enc.shapes(), mask.device().str().getString()), () -> {
            TransformerUtils.ProposalGeometry one = TransformerUtils.proposalGeometry(mask.narrow(0, 0, 1),
                    enc.shapes());
            return new Tensor[] {one.outputProposals(), one.invalid()};
        });
        return new TransformerUtils.ProposalGeometry(g[0].expand(b, -1, -1), g[1].expand(b, -1, -1));
    }

    /** Cache key of the proposals of an unpadded size. */
    private record ProposalKey(SpatialShapes shapes, String device) {}

    /**
     * {@code enc_out_class_embed} on any queries, e.g. transformers' {@code encoder_logits} (the decoder's initial
     * content queries against the projected text).
     *
     * @param queries (B, N, C)
     * @param text (B, n, C)
     * @param textTokenMask (B, n) bool, true on real tokens
     * @return (B, N, 256)
     */
    public Tensor encOutClassLogits(Tensor queries, Tensor text, Tensor textTokenMask) {
        return encOutClassEmbed.forward(queries, text, textTokenMask);
    }

    /**
     * The decoder from the selected queries.
     *
     * @param bboxEmbed the detector's box heads, one per decoder layer
     * @param trace receives {@code dec*}, {@code ref*}, {@code hs*}, or null
     */
    public Output decode(Encoded enc, Queries queries, MLP[] bboxEmbed, Trace trace) {
        TransformerDecoder.Output dec = decoder.forward(queries.tgt(), queries.refpointsUnsigmoid(), enc.memory(),
                enc.padded() ? enc.mask() : null, enc.shapes(), enc.validRatios(), enc.memoryText(), enc.textPadding(),
                bboxEmbed, trace);
        for (int i = 0; i < dec.references().size(); i++) {
            Trace.record(trace, "ref" + i, dec.references().get(i));
        }
        for (int i = 0; i < dec.hs().size(); i++) {
            Trace.record(trace, "hs" + i, dec.hs().get(i));
        }
        return new Output(dec.hs(), dec.references(), enc.memoryText());
    }
}
