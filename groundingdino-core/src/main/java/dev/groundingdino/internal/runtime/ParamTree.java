package dev.groundingdino.internal.runtime;

import dev.groundingdino.CheckpointException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
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
 * Module constructors must therefore not compute with parameters (derive buffers lazily or on first forward).
 */
public final class ParamTree {
    private final String prefix;
    private final Function<String, Tensor> source; // null in declare mode
    private final Map<String, long[]> declared;

    private ParamTree(String prefix, Function<String, Tensor> source, Map<String, long[]> declared) {
        this.prefix = prefix;
        this.source = source;
        this.declared = declared;
    }

    /** A root that only records names and shapes. */
    public static ParamTree declare() {
        return new ParamTree("", null, new LinkedHashMap<>());
    }

    /** A root that fetches tensors by full name from {@code source} (which throws on an unknown name). */
    public static ParamTree load(Function<String, Tensor> source) {
        return new ParamTree("", source, new LinkedHashMap<>());
    }

    /** The subtree under attribute {@code name} (may contain dots: {@code "backbone.0"}). */
    public ParamTree child(String name) {
        return new ParamTree(prefix + name + ".", source, declared);
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
