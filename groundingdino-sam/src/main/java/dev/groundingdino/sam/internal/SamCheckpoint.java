package dev.groundingdino.sam.internal;

import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Placement;
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
 * matched strictly by {@link StrictLoader}, and the {@link Sam} reads its float32 weights straight from the
 * (memory-mapped) state dict. With a bfloat16 encoder every tensor is copied (converted, or cloned) and the file is
 * unmapped at once: the float32 pages read for the conversion would otherwise stay resident next to their copies
 * (3.7 GB instead of 1.3 GB for ViT-H). Owns the state dict or the copies; {@link #close()} releases them.
 */
public final class SamCheckpoint implements AutoCloseable {
    /** File bytes converted per mapping of the file when every tensor is copied (bfloat16 encoder). */
    private static final long COPY_CHUNK_BYTES = 256L << 20;

    /** Keys only a GroundingDINO checkpoint has (any one identifies it). */
    private static final List<String> GROUNDING_DINO_MARKERS = List.of("backbone.0.", "bert.", "transformer.",
            "feat_map.", "input_proj.");

    private final StateDict stateDict; // null once every tensor is a copy
    private final List<Tensor> converted; // copies of file tensors (other dtype, or all with a bfloat16 encoder)
    private final Sam sam;
    private final Placement placement;
    private boolean closed;

    private SamCheckpoint(StateDict stateDict, List<Tensor> converted, Sam sam, Placement placement) {
        this.stateDict = stateDict;
        this.converted = converted;
        this.sam = sam;
        this.placement = placement;
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
    public static SamCheckpoint load(Path path, ScalarType encoderType) {
        return load(path, encoderType, COPY_CHUNK_BYTES);
    }

    /** As {@link #load(Path, ScalarType)}, mapping the file again after every {@code chunkBytes} copied (tests). */
    static SamCheckpoint load(Path path, ScalarType encoderType, long chunkBytes) {
        checkEncoderType(encoderType);
        return build(StateDict.read(path), Placement.cpu(encoderType), path, chunkBytes);
    }

    /**
     * As {@link #load(Path)}, for {@code placement}: its device holds every tensor, and the image encoder's blocks run
     * in its type ({@code Float}, {@code BFloat16}, or on CUDA {@code Half}; see {@link Sam#inEncoderPrecision}). The
     * checkpoint is checked on the CPU first.
     */
    public static SamCheckpoint load(Path path, Placement placement) {
        if (!placement.isCuda()) {
            checkEncoderType(placement.dtype());
        }
        return build(StateDict.read(path), placement, path, COPY_CHUNK_BYTES);
    }

    /**
     * The model held by an in-memory state dict (e.g. generated weights), which this checkpoint then owns; as
     * {@link #load(Path, ScalarType)} otherwise.
     */
    public static SamCheckpoint of(StateDict sd, ScalarType encoderType) {
        checkEncoderType(encoderType);
        return build(sd, Placement.cpu(encoderType), null, Long.MAX_VALUE);
    }

    private static void checkEncoderType(ScalarType encoderType) {
        if (encoderType.intern() != ScalarType.Float && encoderType.intern() != ScalarType.BFloat16) {
            throw new IllegalArgumentException("the SAM image encoder runs in float32 or bfloat16, not " + encoderType);
        }
    }

    /**
     * @param file the file {@code sd} was read from, mapped again per {@code chunkBytes} when every tensor is
     *     copied; null for an in-memory state dict (copied in one pass)
     */
    private static SamCheckpoint build(StateDict sd, Placement placement, Path file, long chunkBytes) {
        ScalarType encoderType = placement.dtype();
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
            for (String source : match.sources().values()) {
                DType dtype = sd.dtype(source);
                if (dtype != DType.FLOAT32 && dtype != DType.FLOAT16 && dtype != DType.BFLOAT16
                        && dtype != DType.FLOAT64) {
                    throw new CheckpointException("tensor '" + source + "' has dtype " + dtype
                            + "; Segment Anything weights must be floating point (float32, float16, bfloat16 or "
                            + "float64). The file is not a usable SAM checkpoint.");
                }
            }
            Map<String, Tensor> copies = new HashMap<>();
            if (encoderType.intern() == ScalarType.Float && !placement.isCuda()) {
                // float32 tensors are read from the mapped file; others are converted
                for (Map.Entry<String, String> e : match.sources().entrySet()) {
                    if (sd.dtype(e.getValue()) != DType.FLOAT32) {
                        copies.put(e.getKey(), copy(sd, e.getValue(), ScalarType.Float, placement, converted));
                    }
                }
                Sam sam = build(cfg, name -> copies.containsKey(name) ? copies.get(name) : match.get(name), placement,
                        converted);
                return new SamCheckpoint(sd, converted, sam, placement);
            }
            // Every tensor becomes a copy, and a file is mapped again for every ~chunkBytes of it: pages read for a
            // conversion stay resident as long as their mapping lives, so one mapping for the whole conversion would
            // peak at the file size plus the copies (3.9 GB for ViT-H instead of 1.7 GB).
            List<Map.Entry<String, String>> entries = new ArrayList<>(match.sources().entrySet());
            StateDict part = sd; // the first chunk comes from the mapping already open
            int next = 0;
            while (next < entries.size()) {
                try {
                    long bytes = 0;
                    while (next < entries.size() && bytes < chunkBytes) {
                        Map.Entry<String, String> e = entries.get(next++);
                        ScalarType target = Sam.inEncoderPrecision(e.getKey()) ? encoderType : ScalarType.Float;
                        copies.put(e.getKey(), copy(part, e.getValue(), target, placement, converted));
                        bytes += part.numel(e.getValue()) * part.dtype(e.getValue()).byteSize();
                    }
                } finally {
                    part.close();
                }
                if (next < entries.size()) {
                    part = StateDict.read(file);
                }
            }
            Sam sam = build(cfg, copies::get, placement, converted);
            return new SamCheckpoint(null, converted, sam, placement);
        } catch (RuntimeException e) {
            converted.forEach(Tensor::releaseReference);
            sd.close();
            throw e;
        }
    }

    /** The model on its tensors; its constants join {@code owned}. */
    private static Sam build(SamConfig cfg, java.util.function.Function<String, Tensor> source, Placement placement,
            List<Tensor> owned) {
        ParamTree tree = ParamTree.load(source, placement);
        Sam sam = Sam.load(cfg, tree);
        owned.addAll(tree.owned());
        return sam;
    }

    /**
     * A new tensor (never a view of the mapping) with the values of {@code source} in {@code type} on the placement's
     * device.
     */
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    private static Tensor copy(StateDict sd, String source, ScalarType type, Placement placement, List<Tensor> owned) {
        Tensor t;
        try (PointerScope scope = new PointerScope()) {
            Tensor view = sd.get(source);
            if (placement.isCuda()) {
                t = view.to(placement.device(), type);
            } else {
                t = sd.dtype(source) == DType.ofScalarType(type) ? view.clone() : view.to(type);
            }
            t.retainReference();
        }
        owned.add(t);
        return t;
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

    /** Where the model lives (its type: the image encoder's). */
    public Placement placement() {
        return placement;
    }

    /** Releases the weights. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        converted.forEach(Tensor::releaseReference);
        if (stateDict != null) {
            stateDict.close();
        }
    }
}
