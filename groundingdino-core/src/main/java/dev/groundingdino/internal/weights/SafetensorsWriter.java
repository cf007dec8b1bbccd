package dev.groundingdino.internal.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.Natives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes a state dict as {@code .safetensors}: u64 little-endian header length, a JSON header with the tensors
 * sorted by name ({@code dtype}, {@code shape}, {@code data_offsets} relative to the data section) and a
 * {@code __metadata__} string map, the header padded with spaces to a multiple of 8, then each tensor's
 * contiguous little-endian bytes in the same order ({@code BOOL} as one byte per element).
 *
 * <p>Metadata always includes {@code format = "pt"} and {@code key_order} (the JSON list of names in
 * the state dict's order, so {@link SafetensorsReader} restores it) unless the caller supplies them; groups of
 * names that are the same view of the same storage are listed in {@code shared_groups} (each is still stored
 * once per name, as safetensors requires). The file is written to a temporary sibling and moved into place.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    /**
     * Writes every tensor of {@code stateDict} to {@code out}.
     *
     * @param metadata extra {@code __metadata__} entries (may be empty); they override the defaults
     * @throws CheckpointException if the file cannot be written
     */
    public static void write(Path out, StateDict stateDict, Map<String, String> metadata) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : stateDict.names()) {
            tensors.put(name, stateDict.get(name));
        }
        Map<String, String> meta = new LinkedHashMap<>(stateDict.metadata());
        meta.putAll(metadata);
        write(out, tensors, meta);
    }

    /** Writes {@code tensors} (name to CPU or device tensor, in checkpoint order) to {@code out}. */
    public static void write(Path out, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Natives.ensureLoaded();
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new CheckpointException("safetensors are little-endian; writing them on a big-endian machine is "
                    + "not supported");
        }
        Path parent = out.toAbsolutePath().getParent();
        Path tmp = null;
        try (PointerScope scope = new PointerScope()) {
            TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
            Map<String, DType> dtypes = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
                Tensor t = e.getValue();
                DType dtype = DType.ofScalarType(t.scalar_type());
                if (dtype == null) {
                    throw new CheckpointException("tensor '" + e.getKey() + "' has dtype " + t.scalar_type()
                            + ", which safetensors files of this library cannot hold");
                }
                dtypes.put(e.getKey(), dtype);
                shapes.put(e.getKey(), t.sizes().vec().get());
            }
            byte[] header = header(sorted, dtypes, shapes, defaults(tensors, metadata));
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, "." + out.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
                    writeTensor(ch, e.getValue());
                }
                ch.force(false);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new CheckpointException("Could not write " + out.toAbsolutePath() + ": " + e.getMessage()
                    + ". Check that the folder exists, is writable and has free space.", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    private static Map<String, String> defaults(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        ArrayNode order = JSON.createArrayNode();
        tensors.keySet().forEach(order::add);
        meta.put("key_order", order.toString());
        List<List<String>> groups = sharedGroups(tensors);
        if (!groups.isEmpty()) {
            meta.put("shared_groups", JSON.valueToTree(groups).toString());
        }
        meta.putAll(metadata);
        return meta;
    }

    /** Names whose tensors are the same view (data pointer, shape, strides, dtype) of one storage. */
    private static List<List<String>> sharedGroups(Map<String, Tensor> tensors) {
        Map<String, List<String>> byView = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.numel() == 0) {
                continue;
            }
            String id = HostTensors.address(t) + "/" + t.scalar_type() + "/" + Arrays.toString(t.sizes().vec().get())
                    + "/" + Arrays.toString(t.strides().vec().get()) + "/" + t.is_cpu();
            byView.computeIfAbsent(id, k -> new ArrayList<>()).add(e.getKey());
        }
        List<List<String>> groups = new ArrayList<>();
        for (List<String> g : byView.values()) {
            if (g.size() > 1) {
                groups.add(g);
            }
        }
        return groups;
    }

    private static byte[] header(TreeMap<String, Tensor> sorted, Map<String, DType> dtypes, Map<String, long[]> shapes,
            Map<String, String> metadata) throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject("__metadata__");
        metadata.forEach(meta::put);
        long offset = 0;
        for (String name : sorted.keySet()) {
            DType dtype = dtypes.get(name);
            long[] shape = shapes.get(name);
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            long nbytes = Math.multiplyExact(numel, dtype.byteSize());
            ObjectNode t = root.putObject(name);
            t.put("dtype", dtype.safetensorsName());
            ArrayNode s = t.putArray("shape");
            for (long d : shape) {
                s.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + nbytes);
            offset += nbytes;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeTensor(FileChannel ch, Tensor t) throws IOException {
        if (t.numel() == 0) {
            return;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.is_cpu() ? t.contiguous() : t.cpu().contiguous();
            long nbytes = c.nbytes();
            for (long off = 0; off < nbytes; off += NativeBytes.CHUNK) {
                int len = (int) Math.min(NativeBytes.CHUNK, nbytes - off);
                writeFully(ch, HostTensors.window(c, off, len));
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
