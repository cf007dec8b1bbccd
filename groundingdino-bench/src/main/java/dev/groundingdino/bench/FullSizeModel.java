package dev.groundingdino.bench;

import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.groundingdino.TextBatch;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.postprocess.Predict;
import dev.groundingdino.internal.postprocess.Prediction;
import dev.groundingdino.internal.postprocess.QueryOutputs;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The benchmarks' full-size GroundingDINO (Swin-T OGC: Swin-T, BERT-base, 6 + 6 layers, 900 queries; random
 * weights, see {@link RandomWeights}) and the reference pipeline around it: one forward pass on preprocessed
 * images and the reference's {@code predict()} on its outputs.
 */
public final class FullSizeModel implements AutoCloseable {
    /** The benchmarks' prompt (6 tokens with [CLS] and [SEP]). */
    public static final String PROMPT = "cat . dog .";
    /** The reference's default thresholds. */
    public static final float BOX_THRESHOLD = 0.35f;
    public static final float TEXT_THRESHOLD = 0.25f;

    private final LoadedGroundingDino loaded;
    private final CaptionEncoding caption = CaptionEncoder.encode(PROMPT);

    private FullSizeModel(LoadedGroundingDino loaded) {
        this.loaded = loaded;
    }

    /**
     * @param precision {@code FP32} or {@code BF16} (weights and activations, see
     *     {@code LoadedGroundingDino.of(StateDict, GroundingDinoConfig, ScalarType)})
     */
    public static FullSizeModel build(String precision) {
        return new FullSizeModel(RandomWeights.groundingDino(GroundingDinoConfig.swinTOgc(), 42, dtype(precision)));
    }

    /** {@code FP32} or {@code BF16} as a libtorch dtype. */
    public static ScalarType dtype(String precision) {
        return switch (precision.toUpperCase(Locale.ROOT)) {
            case "FP32" -> ScalarType.Float;
            case "BF16" -> ScalarType.BFloat16;
            default -> throw new IllegalArgumentException("precision must be FP32 or BF16, got " + precision);
        };
    }

    public GroundingDINO model() {
        return loaded.model();
    }

    public CaptionEncoding caption() {
        return caption;
    }

    /** The caption as the batch of {@code batch} identical rows. */
    public TextBatch text(int batch) {
        TextBatch one = TextBatch.of(List.of(caption));
        return batch == 1 ? one : one.repeat(batch);
    }

    /**
     * One forward pass on equally sized preprocessed images and {@code predict()} on every image's outputs, inside
     * its own inference scope (everything native is freed before it returns).
     */
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public List<List<Prediction>> detect(List<PixelTensor> images) {
        int batch = images.size();
        int queries;
        int slots;
        float[] logits;
        float[] boxes;
        try (InferenceScope scope = InferenceScope.open()) {
            TensorVector stack = new TensorVector();
            for (PixelTensor p : images) {
                stack.push_back(p.toTensor()); // (3, H, W)
            }
            Tensor pixels = torch.stack(stack, 0); // (B, 3, H, W)
            GroundingDINO.Output out = model().forward(NestedTensor.unpadded(pixels), text(batch), null);
            Tensor l = out.predLogits().to(ScalarType.Float).contiguous(); // (B, Q, 256)
            Tensor b = out.predBoxes().to(ScalarType.Float).contiguous(); // (B, Q, 4)
            queries = (int) l.size(1);
            slots = (int) l.size(2);
            logits = new float[batch * queries * slots];
            boxes = new float[batch * queries * 4];
            l.data_ptr_float().get(logits);
            b.data_ptr_float().get(boxes);
        }
        List<List<Prediction>> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            QueryOutputs o = QueryOutputs.of(queries, slots,
                    Arrays.copyOfRange(logits, i * queries * slots, (i + 1) * queries * slots),
                    Arrays.copyOfRange(boxes, i * queries * 4, (i + 1) * queries * 4));
            out.add(Predict.predict(o, caption, BOX_THRESHOLD, TEXT_THRESHOLD, false));
        }
        return out;
    }

    @Override
    public void close() {
        loaded.close();
    }
}
