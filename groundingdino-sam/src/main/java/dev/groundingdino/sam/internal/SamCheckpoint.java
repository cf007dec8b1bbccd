package dev.groundingdino.sam.internal;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.weights.DType;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.internal.weights.StrictLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A Segment Anything model loaded from a checkpoint file ({@code segment_anything/build_sam.py}: the builder
 * followed by {@code load_state_dict(strict=True)}): the variant is inferred from the tensor shapes, the keys are
 * matched strictly by {@link StrictLoader}, and the {@link Sam} reads its weights straight from the (memory-mapped)
 * state dict. Owns the state dict; {@link #close()} releases it.
 */
public final class SamCheckpoint implements AutoCloseable {
    /** Keys only a GroundingDINO checkpoint has (any one identifies it). */
    private static final List<String> GROUNDING_DINO_MARKERS = List.of("backbone.0.", "bert.", "transformer.",
            "feat_map.", "input_proj.");

    private final StateDict stateDict;
    private final List<Tensor> converted; // tensors of another dtype than the file's, owned here
    private final Sam sam;
    private boolean closed;

    private SamCheckpoint(StateDict stateDict, List<Tensor> converted, Sam sam) {
        this.stateDict = stateDict;
        this.converted = converted;
        this.sam = sam;
    }

    /**
     * Reads {@code path} ({@code .pth} or {@code .safetensors}) and builds the model it holds.
     *
     * @throws CheckpointException if the file is unreadable, is not a Segment Anything checkpoint (a GroundingDINO
     *     checkpoint is named as such), or does not strictly match the inferred variant
     */
    public static SamCheckpoint load(Path path) {
        return load(path, ScalarType.Float);
    }

    /**
     * As {@link #load(Path)}, with the image encoder's blocks in {@code encoderType} ({@code Float} or
     * {@code BFloat16}; see {@link Sam#inEncoderPrecision}): their weights are converted once at load time.
     */
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public static SamCheckpoint load(Path path, ScalarType encoderType) {
        if (encoderType.intern() != ScalarType.Float && encoderType.intern() != ScalarType.BFloat16) {
            throw new IllegalArgumentException("the SAM image encoder runs in float32 or bfloat16, not " + encoderType);
        }
        StateDict sd = StateDict.read(path);
        List<Tensor> converted = new ArrayList<>();
        try {
            rejectGroundingDino(sd);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String name : sd.names()) {
                // "module." (DataParallel) is tolerated by StrictLoader's table; infer on the bare names.
                shapes.put(name.startsWith("module.") ? name.substring("module.".length()) : name, sd.shape(name));
            }
            SamConfig cfg = SamConfig.infer(shapes);
            StrictLoader.Match match = StrictLoader.check(sd, Sam.expectedTensors(cfg),
                    "Segment Anything " + cfg.name() + " (embed " + cfg.encoderEmbedDim() + ", depth "
                            + cfg.encoderDepth() + ", heads " + cfg.encoderNumHeads() + ", global attention "
                            + cfg.encoderGlobalAttnIndexes() + ")");
            Map<String, Tensor> convertedByName = new HashMap<>();
            for (Map.Entry<String, String> e : match.sources().entrySet()) {
                DType dtype = sd.dtype(e.getValue());
                ScalarType target = Sam.inEncoderPrecision(e.getKey()) ? encoderType : ScalarType.Float;
                if (dtype == DType.FLOAT32 && target.intern() == ScalarType.Float) {
                    continue;
                }
                if (dtype != DType.FLOAT32 && dtype != DType.FLOAT16 && dtype != DType.BFLOAT16
                        && dtype != DType.FLOAT64) {
                    throw new CheckpointException("tensor '" + e.getValue() + "' has dtype " + dtype
                            + "; Segment Anything weights must be floating point (float32, float16, bfloat16 or "
                            + "float64). The file is not a usable SAM checkpoint.");
                }
                Tensor t;
                try (PointerScope scope = new PointerScope()) {
                    t = match.get(e.getKey()).to(target);
                    t.retainReference();
                }
                converted.add(t);
                convertedByName.put(e.getKey(), t);
            }
            Sam sam = Sam.load(cfg, name -> {
                Tensor f = convertedByName.get(name);
                return f != null ? f : match.get(name);
            });
            return new SamCheckpoint(sd, converted, sam);
        } catch (RuntimeException e) {
            converted.forEach(Tensor::releaseReference);
            sd.close();
            throw e;
        }
    }

    private static void rejectGroundingDino(StateDict sd) {
        for (String name : sd.names()) {
            String bare = name.startsWith("module.") ? name.substring("module.".length()) : name;
            for (String marker : GROUNDING_DINO_MARKERS) {
                if (bare.startsWith(marker)) {
                    throw new CheckpointException("Checkpoint " + (sd.source() == null ? "" : sd.source().getFileName()
                            + " ") + "is a GroundingDINO detector checkpoint (it has '" + name + "'), not a Segment "
                            + "Anything one. Load it with the GroundingDINO Detector, and give the Segmenter a SAM "
                            + "checkpoint such as sam_vit_h_4b8939.pth, sam_vit_l_0b3195.pth or sam_vit_b_01ec64.pth.");
                }
            }
        }
    }

    /** The model; valid until {@link #close()}. */
    public Sam sam() {
        return sam;
    }

    /** The inferred variant. */
    public SamConfig config() {
        return sam.config();
    }

    /** Releases the weights. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        converted.forEach(Tensor::releaseReference);
        stateDict.close();
    }
}
