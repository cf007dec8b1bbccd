package dev.groundingdino.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deliberately independent, pure-Java reader of the golden {@code tensors.safetensors} files (no libtorch, no
 * product code), so tests can compare product outputs against reference values without trusting the product's
 * own reader.
 */
public final class GoldenTensors {
    /** One stored tensor: safetensors dtype name, shape, and its little-endian bytes. */
    public record Entry(String dtype, long[] shape, ByteBuffer data) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** Values as doubles (F32, F64, F16 unsupported, I64, I32, U8, BOOL). */
        public double[] asDoubles() {
            int n = (int) numel();
            double[] out = new double[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = switch (dtype) {
                    case "F32" -> b.getFloat(i * 4);
                    case "F64" -> b.getDouble(i * 8);
                    case "I64" -> b.getLong(i * 8);
                    case "I32" -> b.getInt(i * 4);
                    case "U8", "BOOL" -> b.get(i) & 0xFF;
                    default -> throw new IllegalStateException("unsupported dtype " + dtype);
                };
            }
            return out;
        }

        public float[] asFloats() {
            if (!dtype.equals("F32")) {
                throw new IllegalStateException("not F32: " + dtype);
            }
            float[] out = new float[(int) numel()];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        public long[] asLongs() {
            double[] d = asDoubles();
            long[] out = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                out[i] = (long) d[i];
            }
            return out;
        }
    }

    private GoldenTensors() {}

    public static Map<String, Entry> read(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = buf.getLong(0);
            String header = new String(all, 8, (int) headerLen, StandardCharsets.UTF_8);
            JsonNode root = new ObjectMapper().readTree(header);
            int base = 8 + (int) headerLen;
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode v = e.getValue();
                long[] shape = new long[v.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = v.get("shape").get(i).asLong();
                }
                int begin = v.get("data_offsets").get(0).asInt();
                int end = v.get("data_offsets").get(1).asInt();
                ByteBuffer slice = ByteBuffer.wrap(all, base + begin, end - begin).slice();
                out.put(e.getKey(), new Entry(v.get("dtype").asText(), shape, slice));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes tensors as a {@code .safetensors} file (the same independent pure-Java format code: header JSON, then
     * the data in order), for handing inputs to the product in tests.
     */
    public static void write(Path file, Map<String, Entry> tensors) {
        try {
            StringBuilder header = new StringBuilder("{");
            long offset = 0;
            for (Map.Entry<String, Entry> e : tensors.entrySet()) {
                Entry t = e.getValue();
                if (header.length() > 1) {
                    header.append(',');
                }
                header.append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(t.dtype())
                        .append("\",\"shape\":").append(java.util.Arrays.toString(t.shape()).replace(" ", ""))
                        .append(",\"data_offsets\":[").append(offset).append(',')
                        .append(offset + t.data().remaining()).append("]}");
                offset += t.data().remaining();
            }
            header.append('}');
            while ((header.length() + 8) % 8 != 0) {
                header.append(' ');
            }
            byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(8 + h.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(h.length).put(h);
            for (Entry t : tensors.values()) {
                out.put(t.data().duplicate());
            }
            Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code e} with another shape (same values, e.g. a batch dimension added). */
    public static Entry reshaped(Entry e, long... shape) {
        return new Entry(e.dtype(), shape, e.data());
    }
}
