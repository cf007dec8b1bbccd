package dev.groundingdino.internal.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.Natives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Reads {@code .safetensors} files: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets}, "__metadata__": {...}}}, then the raw little-endian data.
 *
 * <p>The file is memory-mapped once ({@code at::from_file}); each tensor is a {@code narrow(...).view(dtype)}
 * of the mapping, or a copy when its offset is not a multiple of its element size (the format does not require
 * alignment). Tensor order is the {@code key_order} metadata entry when it lists exactly the file's tensors
 * (our writer records the original checkpoint order there), else the header order.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class SafetensorsReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SafetensorsReader() {}

    /**
     * One tensor of the header.
     *
     * @param dtype element type
     * @param shape sizes
     * @param begin first byte, relative to the data section
     * @param end one past the last byte, relative to the data section
     */
    public record TensorInfo(DType dtype, long[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && t.dtype == dtype && Arrays.equals(t.shape, shape) && t.begin == begin
                    && t.end == end;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shape) * 31 + Long.hashCode(begin);
        }

        @Override
        public String toString() {
            return dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
        }
    }

    /**
     * A parsed and validated header.
     *
     * @param tensors name to tensor, in checkpoint order (see the class comment)
     * @param metadata the {@code __metadata__} string map (empty if absent)
     * @param dataStart absolute file offset of the data section ({@code 8 + header length})
     */
    public record Header(LinkedHashMap<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {}

    /** Reads and validates the header of a {@code .safetensors} file (pure Java; nothing is mapped). */
    public static Header readHeader(Path path) {
        long size = CheckpointFiles.checkFile(path);
        try (FileChannel ch = FileChannel.open(path)) {
            return readHeader(ch, size, path.getFileName().toString());
        } catch (IOException e) {
            throw CheckpointFiles.io(path, e);
        }
    }

    /** Reads the tensors of a {@code .safetensors} file; see the class comment. */
    public static StateDict read(Path path) {
        long fileSize = CheckpointFiles.checkFile(path);
        Header header = readHeader(path);
        Natives.ensureLoaded();
        LinkedHashMap<String, StateDict.Entry> entries = new LinkedHashMap<>();
        boolean done = false;
        try (PointerScope scope = new PointerScope()) {
            Tensor file = null;
            if (!header.tensors().isEmpty()) {
                file = CheckpointFiles.map(path, fileSize);
            }
            for (Map.Entry<String, TensorInfo> e : header.tensors().entrySet()) {
                TensorInfo info = e.getValue();
                long start = header.dataStart() + info.begin();
                Tensor bytes = file.narrow(0, start, info.end() - info.begin());
                if (start % info.dtype().byteSize() != 0) {
                    bytes = bytes.clone(); // unaligned: a typed view is impossible, copy
                }
                Tensor t = bytes.view(info.dtype().scalarType()).view(info.shape());
                t.retainReference();
                entries.put(e.getKey(), new StateDict.Entry(t, info.dtype(), info.shape()));
            }
            done = true;
        } catch (RuntimeException e) {
            throw CheckpointFiles.mappingFailed(path, e);
        } finally {
            if (!done) {
                entries.values().forEach(en -> en.tensor().releaseReference());
            }
        }
        return new StateDict(path, StateDict.Format.SAFETENSORS, entries, header.metadata(),
                header.metadata().get("pth_wrapper"));
    }

    static Header readHeader(FileChannel ch, long fileSize, String name) throws IOException {
        if (fileSize < 8) {
            throw truncated(name, "the file has only " + fileSize + " bytes");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, name);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > CheckpointFiles.MAX_SAFETENSORS_HEADER) {
            throw corrupt(name, "its header length " + n + " is implausible");
        }
        if (8 + n > fileSize) {
            throw truncated(name, "the header needs " + (8 + n) + " bytes but the file has " + fileSize);
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(ch, headerBuf, 8, name);
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw corrupt(name, "its JSON header does not parse (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw corrupt(name, "its header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        LinkedHashMap<String, TensorInfo> inFileOrder = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : root.properties()) {
            if (f.getKey().equals("__metadata__")) {
                if (!f.getValue().isObject()) {
                    throw corrupt(name, "__metadata__ is not a JSON object");
                }
                for (Map.Entry<String, JsonNode> kv : f.getValue().properties()) {
                    if (!kv.getValue().isTextual()) {
                        throw corrupt(name, "__metadata__ value '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            inFileOrder.put(f.getKey(), tensorInfo(name, f.getKey(), f.getValue(), dataSize));
        }
        return new Header(ordered(inFileOrder, metadata.get("key_order")), metadata, dataStart);
    }

    private static TensorInfo tensorInfo(String file, String key, JsonNode v, long dataSize) {
        if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
                || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
            throw corrupt(file, "the header entry of '" + key + "' lacks dtype, shape or data_offsets");
        }
        String dtypeName = v.get("dtype").asText();
        DType dtype = DType.ofSafetensorsName(dtypeName);
        if (dtype == null) {
            throw new CheckpointException(file + ": tensor '" + key + "' has dtype " + dtypeName + ", which is not "
                    + "supported (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL). Convert it before "
                    + "saving.");
        }
        JsonNode shapeNode = v.get("shape");
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        try {
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                    throw corrupt(file, "tensor '" + key + "' has a bad shape " + shapeNode);
                }
                shape[i] = d.asLong();
                numel = Math.multiplyExact(numel, shape[i]);
            }
            JsonNode offs = v.get("data_offsets");
            if (!offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber() || !offs.get(0).canConvertToLong()
                    || !offs.get(1).canConvertToLong()) {
                throw corrupt(file, "tensor '" + key + "' has bad data_offsets " + offs);
            }
            long begin = offs.get(0).asLong();
            long end = offs.get(1).asLong();
            long nbytes = Math.multiplyExact(numel, dtype.byteSize());
            if (begin < 0 || end < begin || end - begin != nbytes) {
                throw corrupt(file, "tensor '" + key + "' has data_offsets " + offs + " that do not hold "
                        + Arrays.toString(shape) + " x " + dtype + " (" + nbytes + " bytes)");
            }
            if (end > dataSize) {
                throw truncated(file, "tensor '" + key + "' needs data up to byte " + end + " of the data section, "
                        + "which has " + dataSize);
            }
            return new TensorInfo(dtype, shape, begin, end);
        } catch (ArithmeticException e) {
            throw corrupt(file, "tensor '" + key + "' has an impossible size " + shapeNode);
        }
    }

    private static LinkedHashMap<String, TensorInfo> ordered(LinkedHashMap<String, TensorInfo> inFileOrder,
            String keyOrderJson) {
        if (keyOrderJson == null) {
            return inFileOrder;
        }
        List<String> order = new ArrayList<>();
        try {
            JsonNode n = JSON.readTree(keyOrderJson);
            if (n == null || !n.isArray()) {
                return inFileOrder;
            }
            for (JsonNode k : n) {
                if (!k.isTextual()) {
                    return inFileOrder;
                }
                order.add(k.asText());
            }
        } catch (JsonProcessingException e) {
            return inFileOrder;
        }
        Set<String> seen = new HashSet<>(order);
        if (seen.size() != order.size() || !seen.equals(inFileOrder.keySet())) {
            return inFileOrder;
        }
        LinkedHashMap<String, TensorInfo> out = new LinkedHashMap<>();
        for (String k : order) {
            out.put(k, inFileOrder.get(k));
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at, String name) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) {
                throw truncated(name, "the file ends inside the header");
            }
            pos += r;
        }
    }

    private static CheckpointException truncated(String file, String detail) {
        return new CheckpointException(file + " is a truncated .safetensors file: " + detail + ". The download or "
                + "copy was probably interrupted; download it again.");
    }

    private static CheckpointException corrupt(String file, String detail) {
        return new CheckpointException(file + " is not a valid .safetensors file: " + detail + ". Download it "
                + "again, or re-export it.");
    }
}
