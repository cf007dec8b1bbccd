package dev.groundingdino.bench;

import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.sam.internal.Sam;
import dev.groundingdino.sam.internal.SamCheckpoint;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.sam.internal.sam2.SAM2Base;
import dev.groundingdino.sam.internal.sam2.SAM2ImagePredictor;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Full-size models with seeded random weights of the declared shapes, generated in-process: the latency of a
 * forward pass does not depend on the weight values, so the benchmarks need no checkpoint download.
 *
 * <p>Every floating-point tensor is {@code 0.02 * N(0, 1)} from one libtorch CPU generator seeded with the given
 * seed, in declaration order; 1-d {@code weight}s (norms) get {@code 1 +} that. Derived integer buffers
 * ({@code relative_position_index}, {@code position_ids}) and the decoder's alias keys of the shared box head are
 * left out: the loader computes or aliases them, as for a real checkpoint.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class RandomWeights {
    private static final double STD = 0.02;

    private RandomWeights() {}

    /** A float32 GroundingDINO of {@code cfg} on random weights; the caller closes it. */
    public static LoadedGroundingDino groundingDino(GroundingDinoConfig cfg, long seed) {
        return groundingDino(cfg, seed, ScalarType.Float);
    }

    /** A GroundingDINO of {@code cfg} on random weights generated directly in {@code dtype}; the caller closes it. */
    public static LoadedGroundingDino groundingDino(GroundingDinoConfig cfg, long seed, ScalarType dtype) {
        Natives.ensureLoaded();
        Map<String, long[]> shapes = new LinkedHashMap<>(GroundingDINO.declaredParameters(cfg));
        shapes.keySet().removeIf(name -> name.endsWith("relative_position_index")
                || name.endsWith("embeddings.position_ids") || name.startsWith("transformer.decoder.bbox_embed."));
        return LoadedGroundingDino.of(stateDict(shapes, seed, dtype), cfg, dtype);
    }

    /** A Segment Anything model of {@code cfg} on random float32 weights; the caller closes it. */
    public static SamCheckpoint sam(SamConfig cfg, long seed) {
        return sam(cfg, seed, ScalarType.Float);
    }

    /**
     * A Segment Anything model of {@code cfg} on random weights, loaded like a checkpoint by
     * {@code Segmenter.Builder.precision}: the image encoder's blocks in {@code encoderType}, the rest float32.
     */
    public static SamCheckpoint sam(SamConfig cfg, long seed, ScalarType encoderType) {
        Natives.ensureLoaded();
        return SamCheckpoint.of(stateDict(Sam.expectedTensors(cfg), seed, ScalarType.Float), encoderType);
    }

    /**
     * A SAM 2.1 image predictor of {@code cfg} on random float32 weights of the declared shapes (the official
     * checkpoints' shapes, video weights included), loaded on the CPU like a checkpoint with the Hiera trunk in
     * {@code precision}; the caller closes it.
     */
    public static SAM2ImagePredictor sam2(Sam2Config cfg, long seed, Precision precision) {
        Natives.ensureLoaded();
        return SAM2ImagePredictor.load(stateDict(SAM2Base.expectedTensors(cfg), seed, ScalarType.Float), cfg,
                Device.CPU, precision);
    }

    /** Random tensors of the given names and shapes in {@code dtype}, in an in-memory state dict. */
    public static StateDict stateDict(Map<String, long[]> shapes, long seed, ScalarType dtype) {
        try (PointerScope scope = new PointerScope()) {
            Generator generator = torch.createCPUGenerator(seed);
            GeneratorOptional gen = new GeneratorOptional(generator);
            TensorOptions floats = new TensorOptions(ScalarType.Float);
            Scalar std = new Scalar(STD);
            Scalar one = new Scalar(1.0);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                long[] shape = e.getValue();
                Tensor t = torch.randn(shape, gen, floats).mul_(std);
                if (shape.length == 1 && e.getKey().endsWith(".weight")) {
                    t.add_(one);
                }
                tensors.put(e.getKey(), dtype.intern() == ScalarType.Float ? t : t.to(dtype));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            metadata.put("random_seed", Long.toString(seed));
            return StateDict.of(tensors, metadata);
        }
    }
}
