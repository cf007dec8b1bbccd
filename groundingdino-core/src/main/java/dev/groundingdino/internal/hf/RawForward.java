package dev.groundingdino.internal.hf;

import dev.groundingdino.internal.runtime.Shapes;
import static org.bytedeco.pytorch.global.torch.stack;

import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.TextBatch;
import dev.groundingdino.internal.text.BertTokenizer;
import dev.groundingdino.internal.transformer.Trace;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The model-level forward pass on tokenizer / image-processor outputs, like transformers'
 * {@code GroundingDinoForObjectDetection(pixel_values, input_ids, attention_mask, pixel_mask, token_type_ids)}:
 * no preprocessing, no tokenizer. Works for every loaded model, Hub or original {@code .pth}; each derives its
 * sub-sentence masks and position ids from the token ids its own way ({@code config().specialTokenMasks()}), and
 * the text is cut to 256 tokens like everywhere in the library.
 *
 * <p>Everything runs in the caller's inference scope on the model's device; the returned tensors belong to that
 * scope.
 */
public final class RawForward {
    /** The token ids that separate sub-sentences: {@code [CLS]}, {@code [SEP]}, {@code "."}, {@code "?"}. */
    private static final long[] SPECIAL_TOKENS;

    static {
        BertTokenizer tok = BertTokenizer.bertBaseUncased();
        SPECIAL_TOKENS = new long[] {tok.clsId(), tok.sepId(), tok.id("."), tok.id("?")};
    }

    /**
     * The model inputs.
     *
     * @param pixelValues (B, 3, H, W) float normalised images, padded bottom-right in a batch
     * @param pixelMask (B, H, W) uint8 / bool / int32 / int64, non-zero on image pixels and 0 on padding; null: no
     *     padding
     * @param inputIds (B, n) int64 (or int32) token ids, padded with 0 in a batch
     * @param attentionMask (B, n) non-zero on real tokens; null: all tokens real
     * @param tokenTypeIds (B, n) segment ids, all 0 (GroundingDINO captions are one segment); null: zeros
     */
    public record Inputs(Tensor pixelValues, Tensor pixelMask, Tensor inputIds, Tensor attentionMask,
            Tensor tokenTypeIds) {}

    private RawForward() {}

    /**
     * The forward pass.
     *
     * @param model the model
     * @param device where the model's weights are
     * @param in the inputs (any device; copied to {@code device})
     * @param trace receives the model's intermediates, or null
     * @return {@code pred_logits} (B, Q, 256) and {@code pred_boxes} (B, Q, 4)
     * @throws IllegalArgumentException if the inputs have the wrong shapes or types
     */
    public static GroundingDINO.Output forward(GroundingDINO model, Device device, Inputs in, Trace trace) {
        NestedTensor samples = images(in, device);
        TextBatch text = text(model, in, samples.tensors().size(0));
        return model.forward(samples, text, trace);
    }

    /**
     * The forward pass with transformers' output names: {@code logits}, {@code pred_boxes},
     * {@code last_hidden_state}, {@code init_reference_points}, {@code intermediate_hidden_states} (B, L, Q, C),
     * {@code intermediate_reference_points} (B, L, Q, 4), {@code encoder_last_hidden_state_vision},
     * {@code encoder_last_hidden_state_text}, {@code enc_outputs_class}, {@code enc_outputs_coord_logits},
     * {@code encoder_logits}, {@code encoder_pred_boxes}.
     */
    public static Map<String, Tensor> forwardNamed(GroundingDINO model, Device device, Inputs in) {
        Map<String, Tensor> trace = new LinkedHashMap<>();
        NestedTensor samples = images(in, device);
        TextBatch text = text(model, in, samples.tensors().size(0));
        GroundingDINO.Output out = model.forward(samples, text, trace::put);
        int layers = model.config().transformer().decLayers();
        Map<String, Tensor> named = new LinkedHashMap<>();
        named.put("logits", out.predLogits());
        named.put("pred_boxes", out.predBoxes());
        named.put("last_hidden_state", trace.get("hs" + (layers - 1)));
        named.put("init_reference_points", trace.get("ref0"));
        TensorVector hs = new TensorVector();
        TensorVector refs = new TensorVector();
        for (int i = 0; i < layers; i++) {
            hs.push_back(trace.get("hs" + i));
            refs.push_back(trace.get("ref" + (i + 1)));
        }
        named.put("intermediate_hidden_states", stack(hs, 1)); // (B, L, Q, C)
        named.put("intermediate_reference_points", stack(refs, 1)); // (B, L, Q, 4)
        named.put("encoder_last_hidden_state_vision", trace.get("memory"));
        named.put("encoder_last_hidden_state_text", trace.get("memory_text"));
        named.put("enc_outputs_class", trace.get("enc_outputs_class"));
        named.put("enc_outputs_coord_logits", trace.get("enc_out_bbox_delta").add(trace.get("output_proposals")));
        Tensor tokenMask = text.tensors().textTokenMask().to(device, ScalarType.Bool); // (B, n)
        named.put("encoder_logits", model.transformer().encOutClassLogits(trace.get("tgt"),
                trace.get("encoded_text_in"), tokenMask)); // (B, Q, 256)
        named.put("encoder_pred_boxes", trace.get("ref0"));
        return named;
    }

    private static NestedTensor images(Inputs in, Device device) {
        Tensor pixels = in.pixelValues();
        if (pixels == null || pixels.dim() != 4 || pixels.size(1) != 3) {
            throw new IllegalArgumentException("pixel_values must be (batch, 3, height, width), got "
                    + (pixels == null ? "nothing" : Shapes.format(pixels)));
        }
        ScalarType type = pixels.scalar_type().intern();
        if (type != ScalarType.Float && type != ScalarType.Double && type != ScalarType.BFloat16
                && type != ScalarType.Half) {
            throw new IllegalArgumentException("pixel_values must be floating point (normalised images), got "
                    + type);
        }
        long b = pixels.size(0);
        Tensor images = pixels.to(device, ScalarType.Float); // (B, 3, H, W)
        Tensor padding;
        if (in.pixelMask() == null) {
            padding = images.new_zeros(b, pixels.size(2), pixels.size(3)).to(ScalarType.Bool); // (B, H, W)
        } else {
            Tensor m = in.pixelMask();
            if (m.dim() != 3 || m.size(0) != b || m.size(1) != pixels.size(2) || m.size(2) != pixels.size(3)) {
                throw new IllegalArgumentException("pixel_mask must be (batch, height, width) = (" + b + ", "
                        + pixels.size(2) + ", " + pixels.size(3) + "), got " + Shapes.format(m));
            }
            padding = m.to(device, m.scalar_type()).eq(new Scalar(0L)); // (B, H, W) true on padding
        }
        return new NestedTensor(images, padding);
    }

    private static TextBatch text(GroundingDINO model, Inputs in, long batch) {
        Tensor ids = in.inputIds();
        if (ids == null || ids.dim() != 2 || ids.size(0) != batch || ids.size(1) < 1) {
            throw new IllegalArgumentException("input_ids must be (batch, tokens) with batch " + batch + ", got "
                    + (ids == null ? "nothing" : Shapes.format(ids)));
        }
        int b = (int) ids.size(0);
        int n = (int) ids.size(1);
        long[] idValues = hostLongs(ids, "input_ids");
        long[] attention;
        if (in.attentionMask() == null) {
            attention = new long[b * n];
            Arrays.fill(attention, 1L);
        } else {
            Tensor a = in.attentionMask();
            if (a.dim() != 2 || a.size(0) != b || a.size(1) != n) {
                throw new IllegalArgumentException("attention_mask must have the shape of input_ids " + Shapes.format(ids)
                        + ", got " + Shapes.format(a));
            }
            attention = hostLongs(a, "attention_mask");
        }
        if (in.tokenTypeIds() != null) {
            Tensor t = in.tokenTypeIds();
            if (t.dim() != 2 || t.size(0) != b || t.size(1) != n) {
                throw new IllegalArgumentException("token_type_ids must have the shape of input_ids " + Shapes.format(ids)
                        + ", got " + Shapes.format(t));
            }
            for (long v : hostLongs(t, "token_type_ids")) {
                if (v != 0) {
                    throw new IllegalArgumentException("token_type_ids must be all 0 (a GroundingDINO caption is one "
                            + "segment, as the tokenizer produces it), got a " + v);
                }
            }
        }
        return TextBatch.ofPadded(b, n, idValues, attention, SPECIAL_TOKENS, model.config().specialTokenMasks());
    }

    /** An integer input's values on the host (a copy through the CPU: inputs may live on another device). */
    private static long[] hostLongs(Tensor t, String name) {
        ScalarType type = t.scalar_type().intern();
        if (type != ScalarType.Long && type != ScalarType.Int && type != ScalarType.Byte && type != ScalarType.Bool
                && type != ScalarType.Short) {
            throw new IllegalArgumentException(name + " must be an integer tensor, got " + type);
        }
        return HostTensors.longs(t);
    }

}
