package dev.groundingdino.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.UnsafeCheckpointException;
import dev.groundingdino.testing.Golden;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .pth reader on hand-built archives: layouts, dtypes, wrappers, compression, ZIP64 and hostile content. */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
class PthReaderTest {
    @TempDir
    Path tmp;

    /** A torch.save-like archive {@code <stem>/data.pkl, <stem>/data/<key>..., <stem>/version}. */
    private Path archive(String file, String stem, byte[] pkl, Map<String, byte[]> storages, boolean align)
            throws IOException {
        List<TestZip.Item> items = new ArrayList<>();
        items.add(TestZip.Item.of(stem + "/data.pkl", pkl));
        storages.forEach((k, v) -> items.add(TestZip.Item.of(stem + "/data/" + k, v)));
        items.add(TestZip.Item.of(stem + "/version", "3\n".getBytes()));
        Path out = tmp.resolve(file);
        TestZip.write(out, items, align);
        return out;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void wrapperWithTrainingMetadataLoadsAndKeepsOrder() throws IOException {
        byte[] pkl = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("b.weight", "1", 2, 2),
                TorchPickle.Tensor.f32("a.bias", "0", 3)), "model", p -> {
                    p.unicode("args");
                    TorchPickle.namespace(p);
                    p.setitem().unicode("epoch").integer(12).setitem();
                });
        Path f = archive("ckpt.pth", "weird.stem-name", pkl,
                Map.of("0", floats(1, 2, 3), "1", floats(4, 5, 6, 7)), true);
        try (StateDict sd = StateDict.read(f)) {
            assertThat(sd.names()).containsExactly("b.weight", "a.bias");
            assertThat(sd.wrapperKey()).contains("model");
            assertThat(TensorBytes.floats(sd.get("b.weight"))).containsExactly(4, 5, 6, 7);
            assertThat(TensorBytes.floats(sd.get("a.bias"))).containsExactly(1, 2, 3);
            assertThat(sd.get("a.bias").scalar_type().intern()).isEqualTo(ScalarType.Float);
            assertThatThrownBy(() -> sd.get("nope")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'nope'");
        }
        Map<Object, Object> raw = UnpicklerTest.map(PthReader.readObject(f));
        assertThat(raw.get("epoch")).isEqualTo(12L);
        assertThat(((PickledObject) raw.get("args")).qualifiedName()).isEqualTo("argparse.Namespace");
        assertThat(((PyOrderedDict) raw.get("model")).attributes()).containsKey("_metadata");
    }

    @Test
    void otherWrapperKeysAndTopLevelFolders() throws IOException {
        byte[] pkl = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("w", "0", 1)), "state_dict", null);
        Path f = archive("lightning.ckpt", "archive", pkl, Map.of("0", floats(9)), true);
        try (StateDict sd = StateDict.read(f)) {
            assertThat(sd.wrapperKey()).contains("state_dict");
            assertThat(TensorBytes.floats(sd.get("w"))).containsExactly(9);
        }
        byte[] custom = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("w", "0", 1)), "ema_weights", null);
        try (StateDict sd = StateDict.read(archive("ema.pth", "x", custom, Map.of("0", floats(8)), true))) {
            assertThat(sd.wrapperKey()).contains("ema_weights");
        }
    }

    @Test
    void everySupportedDtypeWithViewsOffsetsAndSharing() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark();
        String[][] specs = {
            {"f16", "HalfStorage", "2"}, {"bf16", "BFloat16Storage", "2"}, {"f64", "DoubleStorage", "8"},
            {"i64", "LongStorage", "8"}, {"i32", "IntStorage", "4"}, {"i16", "ShortStorage", "2"},
            {"i8", "CharStorage", "1"}, {"u8", "ByteStorage", "1"}, {"b", "BoolStorage", "1"}};
        Map<String, byte[]> storages = new java.util.LinkedHashMap<>();
        for (String[] s : specs) {
            int size = Integer.parseInt(s[2]);
            byte[] data = new byte[6 * size];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (s[0].equals("b") ? i % 2 : i + 1);
            }
            storages.put(s[0], data);
            p.unicode(s[0]);
            TorchPickle.tensor(p, new TorchPickle.Tensor(s[0], s[0], s[1], 6, 0, new long[] {2, 3},
                    new long[] {3, 1}));
        }
        // a transposed view with an offset, and a second key on the same storage
        p.unicode("t");
        TorchPickle.tensor(p, new TorchPickle.Tensor("t", "f", "FloatStorage", 8, 2, new long[] {3, 2},
                new long[] {1, 3}));
        p.unicode("t2");
        TorchPickle.tensor(p, new TorchPickle.Tensor("t2", "f", "FloatStorage", 8, 0, new long[] {8},
                new long[] {1}));
        p.setitems().stop();
        storages.put("f", floats(0, 1, 2, 3, 4, 5, 6, 7));
        try (StateDict sd = StateDict.read(archive("dtypes.pth", "d", p.bytes(), storages, true))) {
            assertThat(sd.dtype("f16")).isEqualTo(DType.FLOAT16);
            assertThat(sd.get("bf16").scalar_type().intern()).isEqualTo(ScalarType.BFloat16);
            assertThat(sd.get("f64").scalar_type().intern()).isEqualTo(ScalarType.Double);
            assertThat(sd.get("i64").scalar_type().intern()).isEqualTo(ScalarType.Long);
            assertThat(sd.get("i32").scalar_type().intern()).isEqualTo(ScalarType.Int);
            assertThat(sd.get("i16").scalar_type().intern()).isEqualTo(ScalarType.Short);
            assertThat(sd.get("i8").scalar_type().intern()).isEqualTo(ScalarType.Char);
            assertThat(sd.get("u8").scalar_type().intern()).isEqualTo(ScalarType.Byte);
            assertThat(sd.get("b").scalar_type().intern()).isEqualTo(ScalarType.Bool);
            for (String[] s : specs) {
                assertThat(TensorBytes.of(sd.get(s[0]))).as(s[0]).isEqualTo(storages.get(s[0]));
            }
            // t = storage[2:8] viewed (3, 2) with strides (1, 3): rows (2,5), (3,6), (4,7)
            assertThat(TensorBytes.floats(sd.get("t"))).containsExactly(2, 5, 3, 6, 4, 7);
            assertThat(TensorBytes.strides(sd.get("t"))).containsExactly(1, 3);
            assertThat(TensorBytes.address(sd.get("t")) - TensorBytes.address(sd.get("t2"))).isEqualTo(8);
        }
    }

    @Test
    void strideZeroViewsSurvive() throws IOException {
        // transformers' position_ids = arange(512).expand((1, -1)): size (1, 512), stride (0, 1), int64
        byte[] pkl = TorchPickle.stateDict(List.of(new TorchPickle.Tensor("bert.embeddings.position_ids", "0",
                "LongStorage", 512, 0, new long[] {1, 512}, new long[] {0, 1}), new TorchPickle.Tensor("rows", "0",
                "LongStorage", 512, 3, new long[] {4, 2}, new long[] {0, 1})), null, null);
        ByteBuffer data = ByteBuffer.allocate(512 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 512; i++) {
            data.putLong(i);
        }
        try (StateDict sd = StateDict.read(archive("pos.pth", "pos", pkl, Map.of("0", data.array()), true))) {
            Tensor t = sd.get("bert.embeddings.position_ids");
            assertThat(TensorBytes.strides(t)).containsExactly(0, 1);
            assertThat(TensorBytes.sizes(t)).containsExactly(1, 512);
            long[] v = TensorBytes.longs(t);
            for (int i = 0; i < 512; i++) {
                assertThat(v[i]).isEqualTo(i);
            }
            assertThat(TensorBytes.strides(sd.get("rows"))).containsExactly(0, 1);
            assertThat(TensorBytes.longs(sd.get("rows"))).containsExactly(3, 4, 3, 4, 3, 4, 3, 4);
        }
    }

    @Test
    void retainedTensorsOutliveTheStateDict() throws IOException {
        byte[] pkl = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("w", "0", 2)), null, null);
        Path f = archive("r.pth", "r", pkl, Map.of("0", floats(3, 4)), true);
        Tensor kept;
        StateDict sd = StateDict.read(f);
        kept = sd.retain("w");
        sd.close();
        sd.close(); // idempotent
        assertThat(sd.isClosed()).isTrue();
        assertThatThrownBy(() -> sd.get("w")).isInstanceOf(IllegalStateException.class);
        assertThat(TensorBytes.floats(kept)).containsExactly(3, 4);
        kept.close();
    }

    @Test
    void deflatedArchiveIsInflatedNotReadRaw() throws IOException {
        Path original = Golden.gdinoSuite().resolve("gdino.pth");
        Path deflated = tmp.resolve("deflated.pth");
        rezip(original, deflated, ZipEntry.DEFLATED);
        Path unaligned = tmp.resolve("unaligned.pth");
        rezip(original, unaligned, ZipEntry.STORED);
        long misaligned;
        try (FileChannel ch = ZipArchive.openChannel(unaligned)) {
            ZipArchive zip = ZipArchive.open(ch, unaligned);
            misaligned = zip.entries().values().stream().filter(e -> e.name().contains("/data/")).filter(e -> {
                try {
                    return zip.dataOffset(e) % 4 != 0;
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }).count();
        }
        assertThat(misaligned).as("records off float alignment (copied, not viewed)").isPositive();
        try (StateDict a = StateDict.read(original); StateDict b = StateDict.read(deflated);
                StateDict c = StateDict.read(unaligned)) {
            assertThat(b.names()).isEqualTo(a.names());
            assertThat(c.names()).isEqualTo(a.names());
            for (String n : a.names()) {
                byte[] expected = TensorBytes.of(a.get(n));
                assertThat(TensorBytes.of(b.get(n))).as(n).isEqualTo(expected);
                assertThat(TensorBytes.of(c.get(n))).as(n).isEqualTo(expected);
                assertThat(TensorBytes.strides(b.get(n))).isEqualTo(TensorBytes.strides(a.get(n)));
            }
        }
    }

    /** Copies a zip entry by entry with java.util.zip (no 64-byte alignment; DEFLATED or STORED). */
    private static void rezip(Path in, Path out, int method) throws IOException {
        try (java.util.zip.ZipFile zf = new java.util.zip.ZipFile(in.toFile());
                OutputStream os = Files.newOutputStream(out); ZipOutputStream zos = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(zf.entries())) {
                byte[] data = zf.getInputStream(e).readAllBytes();
                ZipEntry n = new ZipEntry(e.getName());
                n.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    n.setSize(data.length);
                    n.setCompressedSize(data.length);
                    n.setCrc(crc.getValue());
                    // an odd-length extra field shifts every entry off 4-byte alignment
                    n.setExtra(new byte[] {0x01, 0x7f, 1, 0, 0});
                }
                zos.putNextEntry(n);
                zos.write(data);
                zos.closeEntry();
            }
        }
    }

    @Test
    void storageBeyondFourGibibytesInZip64ArchiveIsMappedNotCopied() throws IOException {
        long big = (1L << 32) + 64;
        PickleBytes p = new PickleBytes().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark();
        p.unicode("big");
        TorchPickle.tensor(p, new TorchPickle.Tensor("big", "0", "ByteStorage", big, 0, new long[] {big},
                new long[] {1}));
        p.unicode("w");
        TorchPickle.tensor(p, TorchPickle.Tensor.f32("w", "1", 4));
        p.setitems().stop();
        Path f = tmp.resolve("huge.pth");
        TestZip.write(f, List.of(TestZip.Item.of("huge/data.pkl", p.bytes()), TestZip.Item.hole("huge/data/0", big),
                TestZip.Item.of("huge/data/1", floats(1.5f, -2, 3, 4e9f))), true);
        assertThat(Files.size(f)).isGreaterThan(big);
        assertThat(TestZip.dataOffset(f, "huge/data/1")).isGreaterThan(1L << 32);
        long rssBefore = dev.groundingdino.internal.runtime.ProcessMemory.rssBytes();
        try (StateDict sd = StateDict.read(f)) {
            assertThat(sd.shape("big")).containsExactly(big);
            assertThat(TensorBytes.floats(sd.get("w"))).containsExactly(1.5f, -2, 3, 4e9f);
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                Tensor tail = sd.get("big").narrow(0, big - 16, 16);
                assertThat(TensorBytes.of(tail)).containsOnly(0);
            }
            assertThat(dev.groundingdino.internal.runtime.ProcessMemory.rssBytes() - rssBefore).as("RSS growth: mapped, not read").isLessThan(200L << 20);
        }
    }

    @Test
    void hostileArchivesAreRejected() throws IOException {
        byte[] evil = new PickleBytes().proto(2).global("posix", "system").unicode("touch /tmp/pwned").raw(0x85)
                .reduce().stop().bytes();
        Path f = archive("evil.pth", "evil", evil, Map.of(), true);
        assertThatThrownBy(() -> StateDict.read(f)).isInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("posix.system");
        assertThatThrownBy(() -> PthReader.readObject(f)).isInstanceOf(UnsafeCheckpointException.class);

        byte[] evil2 = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("w", "0", 1)), "model", q -> q
                .unicode("hook").stackGlobal("builtins", "exec").shortUnicode("import os").raw(0x85).reduce()
                .setitem());
        Path f2 = archive("evil2.pth", "evil2", evil2, Map.of("0", floats(1)), true);
        assertThatThrownBy(() -> StateDict.read(f2)).isInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("builtins.exec");
    }

    @Test
    void archivesThatAreNotStateDicts() throws IOException {
        TestZip.write(tmp.resolve("ts.pt"), List.of(TestZip.Item.of("m/code/__torch__.py", "x".getBytes()),
                TestZip.Item.of("m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'})), true);
        assertThatThrownBy(() -> StateDict.read(tmp.resolve("ts.pt"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("TorchScript");
        TestZip.write(tmp.resolve("plain.zip"), List.of(TestZip.Item.of("readme.txt", "hi".getBytes())), false);
        assertThatThrownBy(() -> StateDict.read(tmp.resolve("plain.zip"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("without a data.pkl");
        byte[] model = new PickleBytes().proto(2).global("my_project.models", "Net").emptyTuple().raw(0x81)
                .emptyDict().build().stop().bytes();
        assertThatThrownBy(() -> StateDict.read(archive("model.pth", "m", model, Map.of(), true)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("my_project.models.Net")
                .hasMessageContaining("state_dict()");
        byte[] two = new PickleBytes().proto(2).emptyDict().mark().unicode("x")
                .global("collections", "OrderedDict").emptyTuple().reduce().unicode("y").emptyDict().setitems().stop()
                .bytes();
        assertThatThrownBy(() -> StateDict.read(archive("two.pth", "t", two, Map.of(), true)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("none of which is a state dict");
    }

    @Test
    void inconsistentRecordsAreRejected() throws IOException {
        byte[] pkl = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("w", "0", 4)), null, null);
        assertThatThrownBy(() -> StateDict.read(archive("missing.pth", "m", pkl, Map.of(), true)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("m/data/0");
        assertThatThrownBy(() -> StateDict.read(archive("short.pth", "s", pkl, Map.of("0", floats(1, 2)), true)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("needs 16");
        PickleBytes q = new PickleBytes().proto(2).global("collections", "OrderedDict").emptyTuple().reduce()
                .unicode("q").global("torch._utils", "_rebuild_qtensor").emptyTuple().reduce().setitem().unicode("w");
        TorchPickle.tensor(q, TorchPickle.Tensor.f32("w", "0", 1));
        q.setitem().stop();
        assertThatThrownBy(() -> StateDict.read(archive("q.pth", "q", q.bytes(), Map.of("0", floats(1)), true)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("_rebuild_qtensor");
        byte[] complex = TorchPickle.stateDict(List.of(new TorchPickle.Tensor("c", "0", "ComplexFloatStorage", 1, 0,
                new long[] {1}, new long[] {1})), null, null);
        assertThatThrownBy(() -> StateDict.read(archive("cplx.pth", "c", complex, Map.of("0", new byte[8]), true)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("ComplexFloatStorage");
    }

    @Test
    void mutatedArchivesFailCleanlyOrLoad() throws IOException {
        byte[] pkl = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("a", "0", 2, 3),
                new TorchPickle.Tensor("b", "0", "FloatStorage", 6, 1, new long[] {2, 2}, new long[] {0, 2}),
                TorchPickle.Tensor.f32("c", "1", 4)), "model", null);
        Map<String, byte[]> storages = Map.of("0", floats(1, 2, 3, 4, 5, 6), "1", floats(7, 8, 9, 10));
        Random r = new Random(4242);
        int loaded = 0;
        for (int i = 0; i < 300; i++) {
            byte[] b = pkl.clone();
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            Path f = archive("m" + i + ".pth", "m", b, storages, true);
            try (StateDict sd = StateDict.read(f)) {
                for (String n : sd.names()) {
                    TensorBytes.of(sd.get(n)); // every view must stay inside its record
                }
                loaded++;
            } catch (CheckpointException expected) {
                // rejected with a message: fine
            } catch (Throwable t) {
                fail("mutation " + i + " escaped with " + t, t);
            }
            Files.delete(f);
        }
        assertThat(loaded).as("some mutations only touch values").isPositive();
    }

    @Test
    void readObjectNeedsNoNativesAndShowsTheStructure() {
        Object root = PthReader.readObject(Golden.gdinoSuite().resolve("gdino.pth"));
        Map<Object, Object> top = UnpicklerTest.map(root);
        assertThat(top.keySet()).containsExactly("model");
        PyOrderedDict sd = (PyOrderedDict) top.get("model");
        PickledTensor pos = (PickledTensor) sd.get("bert.embeddings.position_ids");
        assertThat(pos.stride()).containsExactly(512, 1); // as torch 1.13 pickled it
        assertThat(pos.dtype()).isEqualTo(DType.INT64);
        assertThat(((Map<?, ?>) sd.attributes().get("_metadata"))).isNotEmpty();
        try (FileChannel ch = ZipArchive.openChannel(Golden.gdinoSuite().resolve("gdino.pth"))) {
            ZipArchive zip = ZipArchive.open(ch, Golden.gdinoSuite().resolve("gdino.pth"));
            for (ZipArchive.Entry e : zip.entries().values()) {
                if (e.name().startsWith("gdino/data/")) {
                    assertThat(zip.dataOffset(e) % 64).as(e.name()).isZero();
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
