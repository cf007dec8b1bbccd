package dev.groundingdino.internal.hub;

import dev.groundingdino.internal.bert.BertConfig;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.swin.SwinConfig;
import dev.groundingdino.internal.swin.WindowAttention;
import dev.groundingdino.internal.transformer.TransformerConfig;
import dev.groundingdino.internal.weights.StateDict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The random-weight demo model for offline use: the golden "tiny" GroundingDINO shape (Swin embed 16, depths
 * [2, 2, 2, 2], BERT 32 x 2 layers, 2 + 2 transformer layers, 30 queries; about 5 M parameters, 21 MB) with
 * deterministic seeded weights generated in-process, so nothing has to be downloaded or shipped. It runs the whole
 * pipeline (tokenizer, preprocessing, backbone, transformer, post-processing, annotation) but it is untrained: it
 * FINDS NOTHING MEANINGFUL; its boxes and labels are noise.
 *
 * <p>Weights: every tensor drawn from its own {@link Random} seeded with {@code seed} and the tensor's name (Java's
 * specified generator, so the same on every platform): 1-D {@code weight}s (norms) {@code 1 + 0.02 N(0,1)}, every
 * other tensor {@code 0.02 N(0,1)}; the decoder's final norm is scaled down (like the golden model's) and it and
 * the text memory are shifted so that the sigmoid scores are spread out and mostly low: a few queries pass the
 * default box threshold. The integer buffers
 * ({@code relative_position_index}, {@code position_ids}) hold their reference values, like a real checkpoint.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class DemoWeights {
    /** The seed of the demo model the CLI and the examples use. */
    public static final long DEFAULT_SEED = 20240514L;
    /** What to tell users about it. */
    public static final String NOTICE = "random-weight demo model: it finds nothing meaningful (untrained weights; "
            + "use groundingdino_swint_ogc.pth for real detections)";

    private static final float STD = 0.02f;
    /** Final decoder norm: its output (the detection features) has std 0.1, so logits spread by ~1.6. */
    private static final String DECODER_NORM = "transformer.decoder.norm.";
    private static final float DECODER_NORM_WEIGHT = 0.1f;
    /**
     * Text memory (the last text-enhancer norm) shifted by +0.5 and detection features by -0.04 per channel: the
     * logits shift down so that only a few queries pass the default box threshold 0.35 (3 of 30 on cat_dog.jpeg
     * with "cat . dog", seed {@link #DEFAULT_SEED}).
     */
    private static final String TEXT_OUTPUT_NORM = "transformer.encoder.text_layers."
            + (TransformerConfig.tiny().encLayers() - 1) + ".norm2.";
    private static final float TEXT_SHIFT = 0.5f;
    private static final float DECODER_NORM_SHIFT = 0.04f;

    private DemoWeights() {}

    /** The demo model's architecture. */
    public static GroundingDinoConfig config() {
        return new GroundingDinoConfig("random-weight demo (tiny GroundingDINO, untrained)",
                SwinConfig.custom(16, List.of(2, 2, 2, 2), List.of(1, 2, 4, 8), 7, 224), BertConfig.tiny(),
                TransformerConfig.tiny(), 20, 20, true, true);
    }

    /**
     * Generates the demo weights as an in-memory state dict (the caller closes it, or hands it to the loader which
     * takes ownership).
     */
    public static StateDict generate(long seed) {
        Natives.ensureLoaded();
        GroundingDinoConfig cfg = config();
        Map<String, long[]> shapes = GroundingDINO.declaredParameters(cfg);
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                String name = e.getKey();
                tensors.put(name, derived(name, e.getValue()) != null
                        ? torch.tensor(derived(name, e.getValue())).view(e.getValue())
                        : tensor(name, e.getValue(), seed));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            metadata.put("demo_seed", Long.toString(seed));
            return StateDict.of(tensors, metadata);
        }
    }

    private static Tensor tensor(String name, long[] shape, long seed) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        Random random = new Random(seed * 1_000_003L + name.hashCode());
        boolean norm = shape.length == 1 && name.endsWith(".weight");
        float scale = 1.0f;
        float offset = norm ? 1.0f : 0.0f;
        if (name.equals(DECODER_NORM + "weight")) {
            scale = DECODER_NORM_WEIGHT; // (1 + 0.02 N) * 0.1: logit spread ~16 * 0.1
        } else if (name.equals(DECODER_NORM + "bias")) {
            offset = -DECODER_NORM_SHIFT;
        } else if (name.equals(TEXT_OUTPUT_NORM + "bias")) {
            offset = TEXT_SHIFT;
        }
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = ((float) random.nextGaussian() * STD + offset) * scale;
        }
        return torch.tensor(values).view(shape); // created in the caller's scope
    }

    /** The reference value of an integer buffer, or null for a weight. */
    private static long[] derived(String name, long[] shape) {
        if (name.endsWith("relative_position_index") && shape.length == 2) {
            return WindowAttention.relativePositionIndex((int) Math.round(Math.sqrt(shape[0])));
        }
        if (name.endsWith("embeddings.position_ids") && shape.length == 2) {
            long[] values = new long[(int) shape[1]];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            return values;
        }
        return null;
    }
}
