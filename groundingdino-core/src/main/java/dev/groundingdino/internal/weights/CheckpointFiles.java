package dev.groundingdino.internal.weights;

import static org.bytedeco.pytorch.global.torch.from_file;

import dev.groundingdino.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Checks that a checkpoint path is a readable, non-empty file and recognises its format by its first bytes
 * (never by its extension): zip ({@code PK\3\4}) for {@code .pth}, a plausible header for {@code .safetensors},
 * and the legacy pickle/tar layouts of torch &lt; 1.6, which are refused with instructions.
 */
final class CheckpointFiles {
    /** What a checkpoint file holds. */
    enum Kind { PTH_ZIP, SAFETENSORS }

    /** Largest safetensors JSON header accepted (the reference implementation's limit is 100 MB). */
    static final long MAX_SAFETENSORS_HEADER = 100L * 1024 * 1024;

    private CheckpointFiles() {}

    /** The size of {@code path}, after checking it is an existing, readable, non-empty regular file. */
    static long checkFile(Path path) {
        if (path == null) {
            throw new CheckpointException("No checkpoint path given: pass the path of a .pth or .safetensors file.");
        }
        if (Files.isDirectory(path)) {
            throw new CheckpointException("Checkpoint path " + path.toAbsolutePath() + " is a directory: pass the "
                    + ".pth or .safetensors file inside it, not the folder.");
        }
        if (!Files.exists(path)) {
            throw new CheckpointException("Checkpoint file not found: " + path.toAbsolutePath()
                    + ". Check the path (relative paths are resolved against " + Path.of("").toAbsolutePath()
                    + ") or download the checkpoint first.");
        }
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException("Checkpoint path " + path.toAbsolutePath() + " is not a regular file.");
        }
        if (!Files.isReadable(path)) {
            throw new CheckpointException("Checkpoint file " + path.toAbsolutePath() + " is not readable: check its "
                    + "permissions.");
        }
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw io(path, e);
        }
        if (size == 0) {
            throw new CheckpointException("Checkpoint file " + path.toAbsolutePath() + " is empty (0 bytes): the "
                    + "download or copy probably failed. Download it again.");
        }
        return size;
    }

    /** Recognises the format of an existing file of {@code size} bytes. */
    static Kind sniff(Path path, long size) {
        byte[] head = new byte[(int) Math.min(size, 512)];
        try (InputStream in = Files.newInputStream(path)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n < head.length) {
                throw new CheckpointException("Checkpoint file " + path + " shrank while being read; is it still "
                        + "being written?");
            }
        } catch (IOException e) {
            throw io(path, e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Kind.PTH_ZIP;
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 5 || head[2] == 7)) {
            throw new CheckpointException(path + " is an empty or split zip archive, not a torch.save checkpoint. "
                    + "Download the checkpoint again.");
        }
        // Before the pickle test: a header length such as 0x0180 also starts with 0x80.
        if (looksLikeSafetensors(head, size)) {
            return Kind.SAFETENSORS;
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 1 && head[1] <= 5) {
            throw new CheckpointException(path + " is a raw pickle: the legacy (non-zip) format of torch < 1.6, or a "
                    + "plain pickle.dump. This reader only supports the zip format. Re-save it with a newer torch: "
                    + "python -c \"import torch; torch.save(torch.load('old.pth', map_location='cpu'), 'new.pth')\" "
                    + "(only for files you trust), or convert it to .safetensors.");
        }
        if (head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new CheckpointException(path + " is a tar archive: the legacy checkpoint format of torch < 0.4. "
                    + "Re-save it with a newer torch (torch.save(torch.load(...), ...)) or convert it to .safetensors.");
        }
        if (head.length >= 8 && head[0] == '{') {
            throw new CheckpointException(path + " starts like a JSON document, not a checkpoint (a config file?). "
                    + "Pass the .pth or .safetensors weights file.");
        }
        if (size < 16) {
            throw new CheckpointException(path + " has only " + size + " bytes, too few for any checkpoint: it is "
                    + "truncated (an interrupted download or copy?). Download it again.");
        }
        throw new CheckpointException(path + " is not a PyTorch .pth or .safetensors checkpoint (unrecognised first "
                + "bytes " + hex(head) + "). Pass a file written by torch.save (zip format) or a .safetensors file; "
                + "if it should be one, it is corrupt: download it again.");
    }

    /** The safetensors sanity check: u64 LE header length within the file and a header starting with '{'. */
    static boolean looksLikeSafetensors(byte[] head, long size) {
        if (head.length < 9) {
            return false;
        }
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // A header longer than the file still counts: the reader then reports the truncation precisely.
        return n >= 2 && n <= MAX_SAFETENSORS_HEADER && head[8] == '{';
    }

    /**
     * One private (copy-on-write) mapping of the whole file as a byte tensor; every view of it keeps the mapping
     * alive, and it is unmapped with the last one.
     */
    static Tensor map(Path path, long fileSize) {
        return from_file(new BytePointer(path.toAbsolutePath().toString(), StandardCharsets.UTF_8),
                new BoolOptional(false), new LongOptional(fileSize), new TensorOptions(ScalarType.Byte));
    }

    /** A libtorch failure while the tensors of {@code path} were mapped or viewed, as the reader reports it. */
    static CheckpointException mappingFailed(Path path, RuntimeException e) {
        if (e instanceof CheckpointException c) {
            return c;
        }
        return new CheckpointException("libtorch could not map the tensors of " + path.getFileName() + ": "
                + e.getMessage() + ". The file may have changed while being read, or be corrupt.", e);
    }

    static CheckpointException io(Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new CheckpointException("Checkpoint file not found: " + path.toAbsolutePath() + ".", e);
        }
        if (e instanceof AccessDeniedException) {
            return new CheckpointException("Checkpoint file " + path.toAbsolutePath() + " is not readable: check its "
                    + "permissions.", e);
        }
        return new CheckpointException("Could not read checkpoint " + path.toAbsolutePath() + ": " + e.getMessage(), e);
    }

    private static String hex(byte[] head) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            sb.append(String.format("%02x", head[i] & 0xFF));
        }
        return sb.toString();
    }
}
