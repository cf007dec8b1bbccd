package dev.groundingdino.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors writer and reader: format details, lossless round trips, unaligned data, bad headers. */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
class SafetensorsTest {
    @TempDir
    Path tmp;

    @Test
    void pthToSafetensorsRoundTripIsLosslessAndReadableByTheIndependentReader() throws IOException {
        Path pth = Golden.gdinoSuite().resolve("gdino.pth");
        Path out = tmp.resolve("gdino.safetensors");
        try (StateDict sd = StateDict.read(pth)) {
            SafetensorsWriter.write(out, sd, Map.of("note", "round trip"));
            try (StateDict back = StateDict.read(out)) {
                assertThat(back.format()).isEqualTo(StateDict.Format.SAFETENSORS);
                assertThat(back.names()).containsExactlyElementsOf(sd.names());
                assertThat(back.wrapperKey()).contains("model");
                assertThat(back.metadata()).containsEntry("note", "round trip").containsEntry("format", "pt")
                        .containsEntry("pth_wrapper", "model");
                JsonNode groups = new ObjectMapper().readTree(back.metadata().get("shared_groups"));
                assertThat(groups).hasSize(6);
                for (String n : sd.names()) {
                    assertThat(back.dtype(n)).as(n).isEqualTo(sd.dtype(n));
                    assertThat(back.shape(n)).as(n).isEqualTo(sd.shape(n));
                    assertThat(TensorBytes.of(back.get(n))).as(n).isEqualTo(TensorBytes.of(sd.get(n)));
                    assertThat(TensorBytes.address(back.get(n)) % back.dtype(n).byteSize()).isZero();
                }
            }
            Map<String, GoldenTensors.Entry> independent = GoldenTensors.read(out);
            assertThat(independent.keySet()).containsExactlyInAnyOrderElementsOf(sd.names());
            for (String n : sd.names()) {
                GoldenTensors.Entry e = independent.get(n);
                assertThat(e.dtype()).isEqualTo(sd.dtype(n).safetensorsName());
                assertThat(e.shape()).isEqualTo(sd.shape(n));
                byte[] bytes = new byte[e.data().remaining()];
                e.data().duplicate().get(bytes);
                assertThat(bytes).as(n).isEqualTo(TensorBytes.of(sd.get(n)));
            }
            assertThat(independent.get("bert.embeddings.position_ids").asLongs()).startsWith(0, 1, 2, 3);
        }
    }

    @Test
    void headerLayoutFollowsTheFormat() throws IOException {
        Path out = tmp.resolve("small.safetensors");
        try (StateDict sd = StateDict.read(Golden.samSuite().resolve("sam.pth"))) {
            SafetensorsWriter.write(out, sd, Map.of());
        }
        byte[] all = Files.readAllBytes(out);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(n % 8).isZero();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":");
        assertThat(header.substring(header.lastIndexOf('}') + 1)).matches(" *");
        JsonNode root = new ObjectMapper().readTree(header);
        List<String> names = new ArrayList<>();
        long expectedBegin = 0;
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            names.add(e.getKey());
            assertThat(e.getValue().get("data_offsets").get(0).asLong()).isEqualTo(expectedBegin);
            expectedBegin = e.getValue().get("data_offsets").get(1).asLong();
        }
        assertThat(names).isSorted();
        assertThat(all.length).isEqualTo(8 + n + expectedBegin);
        // and the golden file, written by the reference converter, reads back identically to ours
        try (StateDict ours = StateDict.read(out); StateDict golden = StateDict.read(Golden.samSuite()
                .resolve("sam.safetensors"))) {
            assertThat(ours.names()).isEqualTo(golden.names());
            for (String name : ours.names()) {
                assertThat(TensorBytes.of(ours.get(name))).isEqualTo(TensorBytes.of(golden.get(name)));
            }
        }
    }

    @Test
    void unalignedOffsetsAreCopiedAndBoolIsOneByte() throws IOException {
        // header length 0x4b (not a multiple of 8) and an F32 tensor at data offset 1
        String json = "{\"a\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 9).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put((byte) 1).putFloat(2.5f).putFloat(-1f);
        Path f = tmp.resolve("unaligned.safetensors");
        Files.write(f, b.array());
        try (StateDict sd = StateDict.read(f)) {
            assertThat(sd.names()).containsExactly("a", "b");
            assertThat(sd.dtype("a")).isEqualTo(DType.BOOL);
            assertThat(TensorBytes.of(sd.get("a"))).containsExactly(1);
            assertThat(TensorBytes.floats(sd.get("b"))).containsExactly(2.5f, -1f);
            assertThat(TensorBytes.address(sd.get("b")) % 4).isZero();
        }
    }

    @Test
    void scalarsEmptyTensorsAndViewsAreWrittenContiguously() throws IOException {
        Path f = tmp.resolve("mixed.safetensors");
        try (PointerScope scope = new PointerScope()) {
            Tensor base = GoldenCheckpointTest.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3});
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("z.transposed", base.t());
            tensors.put("y.scalar", base.select(0, 1).select(0, 2));
            tensors.put("x.empty", base.narrow(0, 0, 0));
            tensors.put("w.same", base);
            tensors.put("v.same", base);
            SafetensorsWriter.write(f, tensors, Map.of());
        }
        try (StateDict sd = StateDict.read(f)) {
            assertThat(sd.names()).containsExactly("z.transposed", "y.scalar", "x.empty", "w.same", "v.same");
            assertThat(TensorBytes.floats(sd.get("z.transposed"))).containsExactly(1, 4, 2, 5, 3, 6);
            assertThat(sd.shape("y.scalar")).isEmpty();
            assertThat(TensorBytes.floats(sd.get("y.scalar"))).containsExactly(6);
            assertThat(sd.shape("x.empty")).containsExactly(0, 3);
            assertThat(sd.metadata().get("shared_groups")).isEqualTo("[[\"w.same\",\"v.same\"]]");
        }
    }

    @Test
    void badHeadersAreReportedPrecisely() throws IOException {
        assertBad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "do not hold");
        assertBad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "truncated");
        assertBad("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "C64");
        assertBad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "bad shape");
        assertBad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "lacks");
        assertBad("{\"a\":1, \"a\":2}", 0, "does not parse");
        assertBad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4, "does not parse");
        assertBad("{\"__metadata__\":{\"k\":1}}", 0, "not a string");
        assertBad("{\"a\":{\"dtype\":\"U8\",\"shape\":[4611686018427387904, 4],\"data_offsets\":[0,4]}}", 4,
                "impossible");
    }

    private void assertBad(String header, int dataBytes, String message) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, b.array());
        assertThatThrownBy(() -> StateDict.read(f)).as(header).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(message);
    }
}
