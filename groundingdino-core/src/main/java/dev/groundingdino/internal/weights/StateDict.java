package dev.groundingdino.internal.weights;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.Natives;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A checkpoint's tensors by name, in checkpoint order: what a model's strict loader consumes.
 *
 * <p>Tensors read from files are views of one memory-mapped copy of the file (nothing is read until touched,
 * files over 2 GB work); keys that shared a storage in the checkpoint share it here too. The state dict owns
 * one reference to each tensor: {@link #get} returns that reference, valid until {@link #close()}; callers that
 * keep a tensor longer take their own with {@link #retain}. {@link #close()} releases every reference, and with
 * the last one the mapping; it is idempotent.
 *
 * <p>{@link #read(Path)} recognises the format by the file's first bytes, never by its extension.
 * Concurrent {@code get}/{@code names} calls are safe; {@code close} must not race with them.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class StateDict implements AutoCloseable {
    /** Where the tensors came from. */
    public enum Format {
        /** A {@code torch.save} zip archive ({@code .pth}, {@code .pt}, {@code .bin}, ...). */
        PTH,
        /** A {@code .safetensors} file. */
        SAFETENSORS,
        /** Tensors handed to {@link #of}. */
        MEMORY
    }

    /** One tensor with the facts that can be asked without a native call. */
    record Entry(Tensor tensor, DType dtype, long[] shape) {}

    private final Path source;
    private final Format format;
    private final Map<String, Entry> entries;
    private final List<String> names;
    private final Map<String, String> metadata;
    private final String wrapperKey;
    private volatile boolean closed;

    StateDict(Path source, Format format, LinkedHashMap<String, Entry> entries, Map<String, String> metadata,
            String wrapperKey) {
        this.source = source;
        this.format = format;
        this.entries = entries;
        this.names = Collections.unmodifiableList(new ArrayList<>(entries.keySet()));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.wrapperKey = wrapperKey;
    }

    /**
     * Reads a {@code .pth} (zip format) or {@code .safetensors} checkpoint.
     *
     * @throws dev.groundingdino.UnsafeCheckpointException if a {@code .pth} pickle asks for code execution
     * @throws CheckpointException if the file is missing, a directory, empty, truncated, corrupt, of another
     *     format, or holds no state dict
     */
    public static StateDict read(Path path) {
        long size = CheckpointFiles.checkFile(path);
        return switch (CheckpointFiles.sniff(path, size)) {
            case PTH_ZIP -> PthReader.read(path);
            case SAFETENSORS -> SafetensorsReader.read(path);
        };
    }

    /**
     * A state dict over existing tensors (for writing them as safetensors, or tests). It takes its own reference
     * to each tensor; the caller keeps ownership of the ones passed in.
     *
     * @throws CheckpointException if a tensor's dtype is not a {@link DType}
     */
    public static StateDict of(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Natives.ensureLoaded();
        LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                DType dtype = DType.ofScalarType(t.scalar_type());
                if (dtype == null) {
                    throw new CheckpointException("tensor '" + e.getKey() + "' has dtype " + t.scalar_type()
                            + ", which checkpoints of this library cannot hold");
                }
                long[] shape = t.sizes().vec().get();
                Tensor own = new Tensor(t);
                own.retainReference();
                entries.put(e.getKey(), new Entry(own, dtype, shape));
            }
        } catch (RuntimeException e) {
            entries.values().forEach(en -> en.tensor().releaseReference());
            throw e;
        }
        return new StateDict(null, Format.MEMORY, entries, metadata, null);
    }

    /** Tensor names in checkpoint order. */
    public List<String> names() {
        return names;
    }

    /** Number of tensors. */
    public int size() {
        return names.size();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * The tensor named {@code name}, owned by this state dict (valid until {@link #close()}; do not close it).
     *
     * @throws CheckpointException if there is no such tensor
     * @throws IllegalStateException if this state dict is closed
     */
    public Tensor get(String name) {
        return entry(name).tensor();
    }

    /**
     * A new reference to the tensor named {@code name}, owned by the caller (close it when done); it stays valid
     * after this state dict is closed. Created outside any {@link PointerScope} the caller may have open.
     */
    public Tensor retain(String name) {
        Tensor t = entry(name).tensor();
        try (PointerScope scope = new PointerScope()) {
            Tensor own = new Tensor(t);
            own.retainReference();
            return own;
        }
    }

    /** The shape of tensor {@code name} (a copy). */
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    /** The element type of tensor {@code name}. */
    public DType dtype(String name) {
        return entry(name).dtype();
    }

    /** Number of elements of tensor {@code name}. */
    public long numel(String name) {
        long n = 1;
        for (long d : entry(name).shape()) {
            n *= d;
        }
        return n;
    }

    /**
     * String metadata: the safetensors {@code __metadata__} map, or for a {@code .pth} the wrapper key as
     * {@code pth_wrapper} when the state dict sat inside one (e.g. {@code {"model": state_dict}}).
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The key of the dict that wrapped the state dict in a {@code .pth} ({@code "model"}, ...), if any. */
    public Optional<String> wrapperKey() {
        return Optional.ofNullable(wrapperKey);
    }

    public Format format() {
        return format;
    }

    /** The file read, or {@code null} for {@link Format#MEMORY}. */
    public Path source() {
        return source;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Releases this state dict's tensor references (and with the last one, the file mapping). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Entry e : entries.values()) {
            e.tensor().releaseReference();
        }
    }

    @Override
    public String toString() {
        return "StateDict(" + format + (source == null ? "" : " " + source.getFileName()) + ", " + size()
                + " tensors" + (wrapperKey == null ? "" : ", wrapper '" + wrapperKey + "'") + ")";
    }

    Entry entry(String name) {
        if (closed) {
            throw new IllegalStateException("this StateDict (" + source + ") is closed");
        }
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException("tensor '" + name + "' is not in the checkpoint"
                    + (source == null ? "" : " " + source.getFileName()) + " (" + size() + " tensors"
                    + (names.isEmpty() ? "" : ", e.g. '" + names.get(0) + "'") + ")");
        }
        return e;
    }
}
