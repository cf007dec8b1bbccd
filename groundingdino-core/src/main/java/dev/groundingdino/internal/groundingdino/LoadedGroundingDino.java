package dev.groundingdino.internal.groundingdino;

import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.internal.swin.WindowAttention;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.internal.weights.StrictLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A {@link GroundingDINO} with the checkpoint that owns its weights: reads the checkpoint, infers the variant when
 * no config is given ({@link VariantInference}), checks it strictly against the model's declared parameters
 * ({@link StrictLoader}: every key and shape; the shared {@code bbox_embed} aliases and derived buffers are the
 * only tolerances) and builds the model on the checkpoint's (memory-mapped) tensors. Derived buffers a checkpoint
 * lacks ({@code relative_position_index}, {@code bert.embeddings.position_ids}) are computed.
 *
 * <p>{@link #close()} releases the weights; it is idempotent and the model must not be used afterwards.
 */
public final class LoadedGroundingDino implements AutoCloseable {
    private final StateDict stateDict;
    private final GroundingDINO model;
    private final List<Tensor> derived; // computed buffers and converted weights, owned
    private final Placement placement;
    private volatile boolean closed;

    private LoadedGroundingDino(StateDict stateDict, GroundingDINO model, List<Tensor> derived, Placement placement) {
        this.stateDict = stateDict;
        this.model = model;
        this.derived = derived;
        this.placement = placement;
    }

    /**
     * Reads and loads a checkpoint ({@code .pth} or {@code .safetensors}).
     *
     * @param checkpoint the file
     * @param config the variant, or null to infer it from the checkpoint's shapes
     * @throws CheckpointException if the file is unreadable or does not match the variant
     */
    public static LoadedGroundingDino load(Path checkpoint, GroundingDinoConfig config) {
        return load(checkpoint, config, ScalarType.Float);
    }

    /**
     * Reads and loads a checkpoint with the floating-point weights converted to {@code dtype}.
     *
     * @param checkpoint the file
     * @param config the variant, or null to infer it from the checkpoint's shapes
     * @param dtype {@code Float} (the reference) or {@code BFloat16} (about half the memory and, on CPUs with
     *     AVX-512 BF16 / AMX, faster; see {@link #of(StateDict, GroundingDinoConfig, ScalarType)})
     * @throws CheckpointException if the file is unreadable or does not match the variant
     */
    public static LoadedGroundingDino load(Path checkpoint, GroundingDinoConfig config, ScalarType dtype) {
        Natives.ensureLoaded();
        StateDict sd = StateDict.read(checkpoint);
        try {
            return of(sd, config, dtype);
        } catch (RuntimeException e) {
            sd.close();
            throw e;
        }
    }

    /**
     * Builds the model on an open state dict, taking ownership of it (it is closed with this object).
     *
     * @param config the variant, or null to infer it
     */
    public static LoadedGroundingDino of(StateDict sd, GroundingDinoConfig config) {
        return of(sd, config, ScalarType.Float);
    }

    /**
     * Builds the model on an open state dict (taking ownership of it) with every floating-point weight converted
     * to {@code dtype} (converted copies are owned by the returned object; weights already in {@code dtype} are used
     * as they are).
     *
     * <p>With {@code BFloat16} the activations follow the weights: every linear layer, convolution, norm and
     * attention runs in bfloat16 (libtorch accumulates reductions, softmax and norm statistics in float32), while the
     * geometry stays float32: position encodings are computed in float32, and reference points, sampling locations,
     * the deformable attention's bilinear sampling and the box refinement run in float32.
     *
     * @param config the variant, or null to infer it
     * @param dtype {@code Float} or {@code BFloat16}
     * @throws IllegalArgumentException for another dtype ({@code Half} has no usable CPU kernels)
     */
    public static LoadedGroundingDino of(StateDict sd, GroundingDinoConfig config, ScalarType dtype) {
        ScalarType target = dtype.intern();
        if (target != ScalarType.Float && target != ScalarType.BFloat16) {
            throw new IllegalArgumentException("GroundingDINO runs on the CPU in Float or BFloat16, not " + dtype
                    + " (float16 CPU kernels are unusable)");
        }
        return of(sd, config, Placement.cpu(target));
    }

    /**
     * Builds the model for {@code placement} on an open state dict (taking ownership of it): the checkpoint is
     * checked on the CPU (variant, strict keys and shapes, shared box heads, the stored Swin
     * {@code relative_position_index} buffers), then every tensor is moved to the placement's device, floating-point
     * weights in its type (the moved copies are owned by the returned object; tensors already there are used as they
     * are), and the model's constants are created there.
     *
     * @param config the variant, or null to infer it
     * @throws CheckpointException if the checkpoint does not match the variant
     */
    public static LoadedGroundingDino of(StateDict sd, GroundingDinoConfig config, Placement placement) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String name : sd.names()) {
            shapes.put(name, sd.shape(name));
        }
        GroundingDinoConfig cfg = config;
        if (cfg == null) {
            cfg = VariantInference.infer(shapes);
            if (!sharedBoxHeads(sd, cfg.transformer().decLayers())) {
                cfg = cfg.withDecPredBboxEmbedShare(false);
            }
        }
        Map<String, long[]> expected = GroundingDINO.declaredParameters(cfg);
        StrictLoader.Match match = StrictLoader.check(sd, expected, cfg.name());
        checkRelativePositionIndexes(sd, match, expected.keySet());
        List<Tensor> derived = new ArrayList<>();
        try {
            ParamTree tree = ParamTree.load(name -> placed(match.isDerived(name)
                    ? derivedBuffer(name, expected.get(name), derived) : match.get(name), placement, derived),
                    placement);
            GroundingDINO model = new GroundingDINO(cfg, tree);
            derived.addAll(tree.owned());
            return new LoadedGroundingDino(sd, model, derived, placement);
        } catch (RuntimeException e) {
            derived.forEach(Tensor::releaseReference);
            throw e;
        }
    }

    /**
     * Compares every stored Swin {@code relative_position_index} with the reference formula, on the CPU before any
     * tensor moves: a checkpoint made with another window size or a modified Swin is reported, not silently used.
     */
    private static void checkRelativePositionIndexes(StateDict sd, StrictLoader.Match match, Iterable<String> names) {
        for (String name : names) {
            if (!name.endsWith("relative_position_index") || match.isDerived(name)) {
                continue;
            }
            try (PointerScope scope = new PointerScope()) {
                WindowAttention.checkRelativePositionIndex(name, match.get(name));
            }
        }
    }

    public GroundingDINO model() {
        if (closed) {
            throw new IllegalStateException("this GroundingDINO model was closed");
        }
        return model;
    }

    public GroundingDinoConfig config() {
        return model.config();
    }

    /** The floating-point type of the weights ({@code Float}, {@code BFloat16} or {@code Half}). */
    public ScalarType dtype() {
        return placement.dtype();
    }

    /** The device and weight type the model was built for. */
    public Placement placement() {
        return placement;
    }

    /** Releases the checkpoint and computed buffers. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        model.clearCaches();
        derived.forEach(Tensor::releaseReference);
        stateDict.close();
    }

    /** Whether every {@code bbox_embed.i} equals {@code bbox_embed.0} (one shared head, as in every release). */
    private static boolean sharedBoxHeads(StateDict sd, int layers) {
        try (PointerScope scope = new PointerScope()) {
            for (String p : new String[] {"bbox_embed.", "module.bbox_embed."}) {
                if (!sd.contains(p + "0.layers.0.weight")) {
                    continue;
                }
                for (int i = 1; i < layers; i++) {
                    for (String leaf : new String[] {"layers.0.weight", "layers.1.weight", "layers.2.weight",
                            "layers.2.bias"}) {
                        String other = p + i + "." + leaf;
                        if (sd.contains(other) && !sd.get(p + "0." + leaf).equal(sd.get(other))) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }
    }

    /**
     * {@code t} on the placement (an owned copy when it had to move or change type), else {@code t} itself. Must not
     * run inside a caller's scope that outlives nothing: the copy is detached and released by close().
     */
    private static Tensor placed(Tensor t, Placement placement, List<Tensor> owned) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = placement.place(t);
            if (c == t) {
                return t;
            }
            c = c.contiguous();
            c.retainReference(); // outlives the scope; released by close()
            owned.add(c);
            return c;
        }
    }

    /** A derived buffer the checkpoint lacks, computed like the reference's {@code register_buffer}. */
    private static Tensor derivedBuffer(String name, long[] shape, List<Tensor> owned) {
        long[] values;
        if (name.endsWith("relative_position_index") && shape.length == 2 && shape[0] == shape[1]) {
            int w = (int) Math.round(Math.sqrt(shape[0]));
            if ((long) w * w != shape[0]) {
                throw new CheckpointException(name + " has shape [" + shape[0] + ", " + shape[1]
                        + "], not a square window");
            }
            values = WindowAttention.relativePositionIndex(w);
        } else if (name.endsWith("embeddings.position_ids") && shape.length == 2 && shape[0] == 1) {
            values = new long[(int) shape[1]];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
        } else {
            throw new CheckpointException("the checkpoint lacks " + name + ", which cannot be computed");
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor t = tensor(values).view(shape); // the declared shape
            t.retainReference(); // outlives the scope; released by close()
            owned.add(t);
            return t;
        }
    }
}
