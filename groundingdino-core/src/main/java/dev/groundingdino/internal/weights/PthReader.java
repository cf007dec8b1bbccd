package dev.groundingdino.internal.weights;

import static org.bytedeco.pytorch.global.torch.empty;

import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.Natives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads PyTorch {@code torch.save} checkpoints in the zip format (torch 1.6 and later) without Python and
 * without executing the pickle: the archive's {@code data.pkl} is interpreted by the restricted
 * {@link Unpickler}, and every storage record {@code <top>/data/<key>} is memory-mapped in place.
 *
 * <p>Memory layout: one {@code at::from_file} byte tensor maps the whole file (it owns the mapping and is
 * reference-counted by every view); each storage record is a {@code narrow(...).view(dtype)} of it; each state
 * dict entry an {@code as_strided(size, stride, offset)} view of its storage, so stride-0 buffers and keys
 * sharing a storage are reproduced exactly. A record whose offset is not a multiple of its element size is
 * copied; a DEFLATED record (a re-zipped archive) is inflated into its own memory.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class PthReader {
    private static final Logger LOG = LoggerFactory.getLogger(PthReader.class);

    /** Keys under which training scripts nest a state dict, in the order they are tried. */
    static final List<String> WRAPPER_KEYS = List.of("model", "state_dict", "model_state_dict", "module", "net",
            "network", "params", "weights");

    private PthReader() {}

    /**
     * The unpickled top-level object of a {@code .pth} file (tensors as {@link PickledTensor} descriptions;
     * nothing is mapped). Pure Java: needs no native library. For {@code inspect} and tests.
     */
    public static Object readObject(Path path) {
        CheckpointFiles.checkFile(path);
        try (FileChannel channel = ZipArchive.openChannel(path)) {
            return readArchive(path, channel).root();
        } catch (IOException e) {
            throw CheckpointFiles.io(path, e);
        }
    }

    /**
     * Reads the state dict of a {@code .pth} file; see the class comment.
     *
     * @throws dev.groundingdino.UnsafeCheckpointException if the pickle references a refused global
     * @throws CheckpointException if the file is not a usable torch.save archive or holds no state dict
     */
    public static StateDict read(Path path) {
        long fileSize = CheckpointFiles.checkFile(path);
        try (FileChannel channel = ZipArchive.openChannel(path)) {
            Archive archive = readArchive(path, channel);
            Located located = locate(archive.root(), path);
            Map<PickledStorage, StorageRecord> records = planStorages(archive, located, path);
            Natives.ensureLoaded();
            return materialize(path, fileSize, archive, located, records);
        } catch (IOException e) {
            throw CheckpointFiles.io(path, e);
        }
    }

    // ------------------------------------------------------------------ archive and pickle

    /** The parsed archive: zip directory, top folder prefix ({@code "gdino/"}) and unpickled root. */
    record Archive(ZipArchive zip, String prefix, Object root) {}

    static Archive readArchive(Path path, FileChannel channel) throws IOException {
        ZipArchive zip = ZipArchive.open(channel, path);
        ZipArchive.Entry pkl = null;
        for (ZipArchive.Entry e : zip.entries().values()) {
            String n = e.name();
            if (n.equals("data.pkl") || n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                if (pkl != null) {
                    throw new CheckpointException(path.getFileName() + " holds two pickles ('" + pkl.name() + "' and '"
                            + n + "'): not a single torch.save checkpoint.");
                }
                pkl = e;
            }
        }
        if (pkl == null) {
            boolean torchScript = zip.entries().keySet().stream()
                    .anyMatch(n -> n.endsWith("constants.pkl") || n.contains("/code/"));
            throw new CheckpointException(path.getFileName() + (torchScript
                    ? " is a TorchScript archive (torch.jit.save), not a state dict. In Python, save "
                            + "model.state_dict() with torch.save instead."
                    : " is a zip file without a data.pkl, so it was not written by torch.save. Pass a torch.save "
                            + "checkpoint or a .safetensors file."));
        }
        String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        ZipArchive.Entry byteOrder = zip.entries().get(prefix + "byteorder");
        if (byteOrder != null) {
            String order = new String(zip.readFully(byteOrder), StandardCharsets.US_ASCII).trim();
            if (!order.equals("little")) {
                throw new CheckpointException(path.getFileName() + " was saved on a '" + order + "'-endian machine; "
                        + "only little-endian checkpoints are supported. Re-save it on a little-endian machine.");
            }
        }
        byte[] pickle = zip.readFully(pkl);
        Object root = Unpickler.parse(pickle, path.getFileName() + "!" + pkl.name());
        return new Archive(zip, prefix, root);
    }

    // ------------------------------------------------------------------ finding the state dict

    /**
     * The state dict inside an unpickled checkpoint.
     *
     * @param tensors name to tensor description, in checkpoint order
     * @param wrapperKey the key of the wrapping dict, or {@code null} when the state dict is the top level
     * @param skipped names of non-tensor entries of the state dict (e.g. {@code _extra_state}), ignored
     */
    record Located(LinkedHashMap<String, PickledTensor> tensors, String wrapperKey, List<String> skipped) {}

    /** Finds the state dict in {@code root}: the top level, or a wrapper dict such as {@code {"model": ...}}. */
    static Located locate(Object root, Path path) {
        String file = path == null ? "the checkpoint" : path.getFileName().toString();
        if (isStateDict(root)) {
            return located((Map<?, ?>) root, null);
        }
        if (root instanceof Map<?, ?> top) {
            for (String key : WRAPPER_KEYS) {
                if (isStateDict(top.get(key))) {
                    return located((Map<?, ?>) top.get(key), key);
                }
            }
            String only = null;
            int count = 0;
            for (Map.Entry<?, ?> e : top.entrySet()) {
                if (e.getKey() instanceof String k && isStateDict(e.getValue())) {
                    only = k;
                    count++;
                }
            }
            if (count == 1) {
                return located((Map<?, ?>) top.get(only), only);
            }
            List<String> keys = new ArrayList<>();
            top.keySet().forEach(k -> keys.add(PickleText.shortRepr(k)));
            throw new CheckpointException(file + " holds a dict with keys " + PickleText.shortRepr(keys)
                    + (count > 1 ? ", several of which are state dicts" : ", none of which is a state dict")
                    + ". Expected a state dict (name -> tensor) at the top level or under one of " + WRAPPER_KEYS
                    + "; re-save it with torch.save(model.state_dict(), path).");
        }
        if (root instanceof PickledObject o) {
            throw new CheckpointException(file + " holds a pickled " + o.qualifiedName() + " object (torch.save(model)"
                    + "), not a state dict. In Python, re-save it with torch.save(model.state_dict(), path).");
        }
        throw new CheckpointException(file + " holds a " + PickleText.typeName(root) + ", not a state dict. "
                + "Re-save it with torch.save(model.state_dict(), path).");
    }

    /** A dict with string keys, at least one tensor value, and no nested dict of tensors (that is a wrapper). */
    private static boolean isStateDict(Object o) {
        if (!(o instanceof Map<?, ?> m) || m.isEmpty()) {
            return false;
        }
        boolean anyTensor = false;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                return false;
            }
            Object v = e.getValue();
            if (v instanceof PickledTensor) {
                anyTensor = true;
            } else if (v instanceof Map<?, ?> inner && inner.values().stream().anyMatch(x -> x instanceof PickledTensor)) {
                return false;
            }
        }
        return anyTensor;
    }

    private static Located located(Map<?, ?> sd, String wrapperKey) {
        LinkedHashMap<String, PickledTensor> tensors = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<?, ?> e : sd.entrySet()) {
            String k = (String) e.getKey();
            if (e.getValue() instanceof PickledTensor t) {
                tensors.put(k, t);
            } else if (e.getValue() instanceof PickledObject o && o.module().startsWith("torch")) {
                throw new CheckpointException("tensor '" + k + "' is stored as " + o.qualifiedName() + " (a quantized, "
                        + "sparse, meta or subclassed tensor), which this reader does not support. Save plain dense "
                        + "tensors (e.g. dequantize, or .to_dense()) before torch.save.");
            } else {
                skipped.add(k);
            }
        }
        if (!skipped.isEmpty()) {
            LOG.debug("ignoring {} non-tensor state dict entries: {}", skipped.size(), skipped);
        }
        return new Located(tensors, wrapperKey, skipped);
    }

    // ------------------------------------------------------------------ storages

    /** Where a storage's bytes are: a zip entry, its data offset, and the bytes the storage needs. */
    record StorageRecord(ZipArchive.Entry entry, long dataOffset, long nbytes) {}

    private static Map<PickledStorage, StorageRecord> planStorages(Archive archive, Located located, Path path)
            throws IOException {
        Map<PickledStorage, StorageRecord> records = new LinkedHashMap<>();
        for (Map.Entry<String, PickledTensor> e : located.tensors().entrySet()) {
            PickledStorage s = e.getValue().storage();
            if (records.containsKey(s)) {
                continue;
            }
            if (s.dtype() == null) {
                throw new CheckpointException("tensor '" + e.getKey() + "' in " + path.getFileName() + " uses storage "
                        + "type " + s.typeName() + ", which is not supported (supported: float32/16, bfloat16, "
                        + "float64, int64/32/16/8, uint8, bool). Convert the tensor in Python before saving.");
            }
            String recordName = archive.prefix() + "data/" + s.key();
            ZipArchive.Entry entry = archive.zip().entries().get(recordName);
            if (entry == null) {
                throw new CheckpointException(path.getFileName() + " lacks the record '" + recordName + "' that tensor '"
                        + e.getKey() + "' needs: the archive is incomplete or corrupt. Download it again.");
            }
            long nbytes;
            try {
                nbytes = Math.multiplyExact(s.numel(), s.dtype().byteSize());
            } catch (ArithmeticException ex) {
                throw new CheckpointException(path.getFileName() + ": storage '" + s.key() + "' declares an impossible "
                        + "size (" + s.numel() + " elements). The checkpoint is corrupt.", ex);
            }
            if (entry.size() < nbytes) {
                throw new CheckpointException(path.getFileName() + ": record '" + recordName + "' has " + entry.size()
                        + " bytes but its storage needs " + nbytes + " (" + s.numel() + " x " + s.dtype() + "). The "
                        + "checkpoint is corrupt; download it again.");
            }
            if (entry.method() != ZipArchive.STORED && entry.method() != ZipArchive.DEFLATED) {
                throw new CheckpointException(path.getFileName() + ": record '" + recordName + "' uses zip compression "
                        + "method " + entry.method() + ", which torch.save never writes. Re-save the checkpoint with "
                        + "torch.save.");
            }
            long dataOffset = archive.zip().dataOffset(entry);
            records.put(s, new StorageRecord(entry, dataOffset, nbytes));
        }
        return records;
    }

    // ------------------------------------------------------------------ tensors

    private static StateDict materialize(Path path, long fileSize, Archive archive, Located located,
            Map<PickledStorage, StorageRecord> records) throws IOException {
        LinkedHashMap<String, StateDict.Entry> entries = new LinkedHashMap<>();
        boolean done = false;
        try (PointerScope scope = new PointerScope()) {
            Tensor file = null;
            if (records.values().stream().anyMatch(r -> r.entry().method() == ZipArchive.STORED)) {
                file = CheckpointFiles.map(path, fileSize);
            }
            Map<PickledStorage, Tensor> storages = new HashMap<>();
            for (Map.Entry<PickledStorage, StorageRecord> e : records.entrySet()) {
                storages.put(e.getKey(), storageTensor(e.getKey(), e.getValue(), file, archive.zip()));
            }
            for (Map.Entry<String, PickledTensor> e : located.tensors().entrySet()) {
                PickledTensor t = e.getValue();
                Tensor typed = storages.get(t.storage());
                Tensor view = typed.as_strided(t.shape(), t.stride(),
                        new LongOptional(typed.storage_offset() + t.storageOffset()));
                view.retainReference();
                entries.put(e.getKey(), new StateDict.Entry(view, t.dtype(), t.shape()));
            }
            done = true;
        } catch (RuntimeException e) {
            throw CheckpointFiles.mappingFailed(path, e);
        } finally {
            if (!done) {
                entries.values().forEach(en -> en.tensor().releaseReference());
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (located.wrapperKey() != null) {
            metadata.put("pth_wrapper", located.wrapperKey());
        }
        return new StateDict(path, StateDict.Format.PTH, entries, metadata, located.wrapperKey());
    }

    /** The typed 1-D tensor of one storage record (a view of the mapping, or an owned copy). */
    private static Tensor storageTensor(PickledStorage s, StorageRecord r, Tensor file, ZipArchive zip)
            throws IOException {
        Tensor bytes;
        if (r.entry().method() == ZipArchive.STORED) {
            bytes = file.narrow(0, r.dataOffset(), r.nbytes());
            if (r.dataOffset() % s.dtype().byteSize() != 0) {
                bytes = bytes.clone(); // unaligned (a re-zipped archive): a view of another dtype is impossible
            }
        } else {
            Tensor inflated = empty(new long[] {r.entry().size()}, new TensorOptions(ScalarType.Byte),
                    new MemoryFormatOptional());
            inflateInto(zip, r.entry(), inflated);
            bytes = inflated.narrow(0, 0, r.nbytes());
        }
        return bytes.view(s.dtype().scalarType());
    }

    private static void inflateInto(ZipArchive zip, ZipArchive.Entry entry, Tensor target) throws IOException {
        long size = entry.size();
        if (size > NativeBytes.CHUNK) {
            throw new CheckpointException("record '" + entry.name() + "' is DEFLATED and larger than 1 GiB; torch.save "
                    + "never compresses records. Re-save the checkpoint with torch.save instead of re-zipping it.");
        }
        ByteBuffer out = HostTensors.window(target, 0, (int) size);
        zip.inflateInto(entry, out);
    }
}
