package dev.groundingdino.internal.runtime;

import dev.groundingdino.CheckpointException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A position in a model's parameter tree: the path through which module classes find their tensors by the
 * reference's attribute names ({@code child("layers").child(1).child("blocks").child(0).child("attn")
 * .param("qkv.weight", 3 * C, C)} finds {@code backbone.0.layers.1.blocks.0.attn.qkv.weight}), so checkpoint keys
 * map 1:1 onto the module tree without a rename table.
 *
 * <p>Two modes share one code path in the module constructors:
 * <ul>
 *   <li>{@link #declare()}: nothing is loaded and {@link #param} returns {@code null}; the tree only records every
 *       full name and expected shape ({@link #declared()}), which the strict loader compares against a checkpoint
 *       before any tensor is touched, and tests compare against the golden manifests;</li>
 *   <li>{@link #load(Function)}: every {@link #param} fetches the tensor from the source (e.g. a state dict) and
 *       checks its shape, throwing {@link CheckpointException} naming the key on a mismatch.</li>
 * </ul>
 *
 * <p>In load mode the tree also carries the model's {@link Placement} (device and weight type, decided once when
 * the model is built): constructors create the model's constants on it with {@link #constant} (relative position
 * biases, sine tables, ...), which the tree's {@link #owned()} list keeps until the model is closed, and share one
 * bounded cache of per-input-size tensors ({@link #sizeCache()}). In declare mode both give nothing, so constructors
 * compute constants only from parameters they actually received.
 */
public final class ParamTree {
    /** Per-size tensors kept by a model: 32 entries (Swin stages, levels, deformable geometry) cover the last 2 sizes. */
    public static final int SIZE_CACHE_ENTRIES = 32;

    private final String prefix;
    private final Function<String, Tensor> source; // null in declare mode
    private final Map<String, long[]> declared;
    private final Root root;

    /** What the whole tree shares. */
    private record Root(Placement placement, List<Tensor> owned, TensorCache sizeCache) {}

    private ParamTree(String prefix, Function<String, Tensor> source, Map<String, long[]> declared, Root root) {
        this.prefix = prefix;
        this.source = source;
        this.declared = declared;
        this.root = root;
    }

    /** A root that only records names and shapes. */
    public static ParamTree declare() {
        return new ParamTree("", null, new LinkedHashMap<>(), new Root(null, new ArrayList<>(),
                TensorCache.disabled()));
    }

    /**
     * A root that fetches tensors by full name from {@code source} (which throws on an unknown name), for a model on
     * the CPU in float32.
     */
    public static ParamTree load(Function<String, Tensor> source) {
        return load(source, Placement.CPU_FLOAT);
    }

    /**
     * A root that fetches tensors by full name from {@code source} (already on {@code placement}; the loader moves
     * them after checking them on the CPU) for a model built for {@code placement}.
     */
    public static ParamTree load(Function<String, Tensor> source, Placement placement) {
        return new ParamTree("", source, new LinkedHashMap<>(), new Root(placement, new ArrayList<>(),
                new TensorCache(SIZE_CACHE_ENTRIES)));
    }

    /** The subtree under attribute {@code name} (may contain dots: {@code "backbone.0"}). */
    public ParamTree child(String name) {
        return new ParamTree(prefix + name + ".", source, declared, root);
    }

    /** The model's device and weight type; null in declare mode. */
    public Placement placement() {
        return root.placement();
    }

    /**
     * A constant of the model computed now, on the model's device ({@link #placement()}), and kept until the model
     * is closed ({@link #owned()}); null in declare mode. For tensors that never change: tables derived from
     * parameters or from fixed sizes.
     */
    public Tensor constant(Supplier<Tensor> compute) {
        if (source == null) {
            return null;
        }
        Tensor t;
        try (PointerScope scope = new PointerScope()) {
            t = compute.get();
            t.retainReference(); // outlives the scope; released with the model
        }
        synchronized (root.owned()) {
            root.owned().add(t);
        }
        return t;
    }

    /** The constants created by {@link #constant} so far; their owner releases them when the model is closed. */
    public List<Tensor> owned() {
        synchronized (root.owned()) {
            return List.copyOf(root.owned());
        }
    }

    /**
     * The model's bounded cache of tensors derived from the input size (window masks and permutations, position
     * encodings, deformable-attention geometry), shared by all its modules; disabled in declare mode. The owner
     * clears it when the model is closed.
     */
    public TensorCache sizeCache() {
        return root.sizeCache();
    }

    /** The subtree under index {@code index} of a ModuleList / Sequential. */
    public ParamTree child(int index) {
        return child(Integer.toString(index));
    }

    /** True in declare mode: {@link #param} returns null. */
    public boolean declaring() {
        return source == null;
    }

    /** The full name of {@code name} under this subtree. */
    public String fullName(String name) {
        return prefix + name;
    }

    /**
     * Declares (and in load mode fetches) the tensor {@code name} of exactly {@code shape}.
     *
     * @return the tensor, or {@code null} in declare mode
     */
    public Tensor param(String name, long... shape) {
        String full = prefix + name;
        long[] previous = declared.putIfAbsent(full, shape.clone());
        if (previous != null && !Arrays.equals(previous, shape)) {
            throw new IllegalStateException("parameter " + full + " declared twice with different shapes");
        }
        if (source == null) {
            return null;
        }
        Tensor t = source.apply(full);
        long[] actual = new long[(int) t.dim()];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = t.size(i);
        }
        if (!Arrays.equals(actual, shape)) {
            throw new CheckpointException("tensor " + full + " has shape " + Arrays.toString(actual)
                    + " but the model expects " + Arrays.toString(shape)
                    + ". The checkpoint does not belong to this model variant/config.");
        }
        return t;
    }

    /** Every declared full name and shape, in declaration order (shared by the whole tree). */
    public Map<String, long[]> declared() {
        return Collections.unmodifiableMap(declared);
    }
}
