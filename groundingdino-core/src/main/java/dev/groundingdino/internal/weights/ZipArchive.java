package dev.groundingdino.internal.weights;

import dev.groundingdino.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The central directory of a zip archive, parsed by hand (ZIP64 included) so that the data offset of every entry
 * is known: PyTorch's {@code .pth} entries are stored uncompressed and 64-byte aligned, and their bytes are
 * memory-mapped in place rather than read through {@code java.util.zip}.
 *
 * <p>Only what a reader of untrusted files needs: every offset and size is checked against the file, and any
 * inconsistency is a {@link CheckpointException} that says the file is truncated or corrupt.
 */
final class ZipArchive {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int LOCAL_SIG = 0x04034b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int EOCD_SIZE = 22;
    private static final long MAX_CENTRAL_DIRECTORY = 1L << 30;
    /** Largest entry read into the Java heap ({@code data.pkl}, {@code version}). */
    private static final long MAX_HEAP_ENTRY = Integer.MAX_VALUE - 64;

    /**
     * One archive entry.
     *
     * @param name entry name
     * @param method compression method ({@link #STORED}, {@link #DEFLATED}, ...)
     * @param compressedSize bytes stored in the archive
     * @param size uncompressed bytes
     * @param crc CRC-32 of the uncompressed bytes
     * @param localHeaderOffset offset of the local file header
     * @param flags general purpose flags (bit 0: encrypted)
     */
    record Entry(String name, int method, long compressedSize, long size, long crc, long localHeaderOffset,
            int flags) {}

    private final FileChannel channel;
    private final long fileSize;
    private final String displayName;
    private final Map<String, Entry> entries;

    private ZipArchive(FileChannel channel, long fileSize, String displayName) throws IOException {
        this.channel = channel;
        this.fileSize = fileSize;
        this.displayName = displayName;
        this.entries = readCentralDirectory();
    }

    /**
     * Parses the central directory of {@code path}. The returned archive keeps {@code channel} for reads; the
     * caller closes it.
     */
    static ZipArchive open(FileChannel channel, Path path) throws IOException {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        return new ZipArchive(channel, channel.size(), name);
    }

    /** Opens {@code path} read-only. */
    static FileChannel openChannel(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    /** All entries, in central-directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    long fileSize() {
        return fileSize;
    }

    /** Offset of the first data byte of {@code e}, from its local header. */
    long dataOffset(Entry e) throws IOException {
        ByteBuffer h = read(e.localHeaderOffset(), 30, "the local header of '" + e.name() + "'");
        if (h.getInt(0) != LOCAL_SIG) {
            throw corrupt("the local header of '" + e.name() + "' has a bad signature");
        }
        int nameLen = h.getShort(26) & 0xFFFF;
        int extraLen = h.getShort(28) & 0xFFFF;
        long data = e.localHeaderOffset() + 30 + nameLen + extraLen;
        if (data + e.compressedSize() > fileSize || data + e.compressedSize() < data) {
            throw truncated("entry '" + e.name() + "' needs bytes up to offset " + (data + e.compressedSize())
                    + " but the file has " + fileSize);
        }
        return data;
    }

    /**
     * Reads a (small) entry completely into the heap, inflating it if needed, and verifies its CRC-32.
     */
    byte[] readFully(Entry e) throws IOException {
        if (e.size() > MAX_HEAP_ENTRY || e.compressedSize() > MAX_HEAP_ENTRY) {
            throw corrupt("entry '" + e.name() + "' claims " + e.size() + " bytes, too large for a pickle");
        }
        checkReadable(e);
        long data = dataOffset(e);
        byte[] raw = new byte[(int) e.compressedSize()];
        ByteBuffer buf = ByteBuffer.wrap(raw);
        readInto(data, buf, "entry '" + e.name() + "'");
        byte[] out;
        if (e.method() == STORED) {
            if (e.size() != e.compressedSize()) {
                throw corrupt("stored entry '" + e.name() + "' has different packed and unpacked sizes");
            }
            out = raw;
        } else {
            out = new byte[(int) e.size()];
            inflate(e, raw, ByteBuffer.wrap(out));
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        if (crc.getValue() != e.crc()) {
            throw corrupt("entry '" + e.name() + "' fails its CRC-32 check (the bytes were altered or cut)");
        }
        return out;
    }

    /** Inflates a DEFLATED entry into {@code target} (which must have exactly {@code e.size()} bytes left). */
    void inflateInto(Entry e, ByteBuffer target) throws IOException {
        checkReadable(e);
        long data = dataOffset(e);
        Inflater inflater = new Inflater(true);
        try {
            CRC32 crc = new CRC32();
            long remaining = e.compressedSize();
            long at = data;
            byte[] chunk = new byte[1 << 20];
            while (target.hasRemaining()) {
                if (inflater.needsInput()) {
                    if (remaining == 0) {
                        throw corrupt("DEFLATED entry '" + e.name() + "' ends early");
                    }
                    int n = (int) Math.min(chunk.length, remaining);
                    ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                    readInto(at, b, "entry '" + e.name() + "'");
                    at += n;
                    remaining -= n;
                    inflater.setInput(chunk, 0, n);
                }
                ByteBuffer slice = target.slice();
                int produced = inflater.inflate(slice);
                crc.update(slice.flip());
                target.position(target.position() + produced);
                if (produced == 0 && inflater.finished()) {
                    break;
                }
                if (produced == 0 && inflater.needsDictionary()) {
                    throw corrupt("DEFLATED entry '" + e.name() + "' needs a preset dictionary");
                }
            }
            if (target.hasRemaining() || crc.getValue() != e.crc()) {
                throw corrupt("DEFLATED entry '" + e.name() + "' does not inflate to its recorded size and CRC-32");
            }
        } catch (DataFormatException ex) {
            throw new CheckpointException(displayName + ": DEFLATED entry '" + e.name() + "' is corrupt ("
                    + ex.getMessage() + "). Re-download the checkpoint.", ex);
        } finally {
            inflater.end();
        }
    }

    private void inflate(Entry e, byte[] raw, ByteBuffer out) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(raw);
            while (out.hasRemaining()) {
                int n = inflater.inflate(out);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            if (out.hasRemaining()) {
                throw corrupt("DEFLATED entry '" + e.name() + "' inflates to fewer bytes than recorded");
            }
        } catch (DataFormatException ex) {
            throw new CheckpointException(displayName + ": DEFLATED entry '" + e.name() + "' is corrupt ("
                    + ex.getMessage() + "). Re-download the checkpoint.", ex);
        } finally {
            inflater.end();
        }
    }

    private void checkReadable(Entry e) {
        if ((e.flags() & 1) != 0) {
            throw new CheckpointException(displayName + ": entry '" + e.name() + "' is encrypted; checkpoints must "
                    + "be plain torch.save archives.");
        }
        if (e.method() != STORED && e.method() != DEFLATED) {
            throw new CheckpointException(displayName + ": entry '" + e.name() + "' uses zip compression method "
                    + e.method() + ", which torch.save never writes. Re-save the checkpoint with torch.save.");
        }
    }

    // ------------------------------------------------------------------ central directory

    private Map<String, Entry> readCentralDirectory() throws IOException {
        if (fileSize < EOCD_SIZE) {
            throw truncated("the file has only " + fileSize + " bytes");
        }
        long eocd = findEndOfCentralDirectory();
        ByteBuffer end = read(eocd, EOCD_SIZE, "the end-of-central-directory record");
        long count = end.getShort(10) & 0xFFFF;
        long cdSize = end.getInt(12) & 0xFFFFFFFFL;
        long cdOffset = end.getInt(16) & 0xFFFFFFFFL;
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            if (eocd < 20) {
                throw corrupt("the ZIP64 end-of-central-directory locator is missing");
            }
            ByteBuffer loc = read(eocd - 20, 20, "the ZIP64 locator");
            if (loc.getInt(0) != ZIP64_LOCATOR_SIG) {
                throw corrupt("the ZIP64 end-of-central-directory locator is missing");
            }
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 + 56 > eocd) {
                throw corrupt("the ZIP64 end-of-central-directory record is out of range");
            }
            ByteBuffer rec = read(z64, 56, "the ZIP64 end-of-central-directory record");
            if (rec.getInt(0) != ZIP64_EOCD_SIG) {
                throw corrupt("the ZIP64 end-of-central-directory record has a bad signature");
            }
            count = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > eocd
                || count < 0 || count > cdSize / 46) {
            throw corrupt("the central directory (offset " + cdOffset + ", " + cdSize + " bytes, " + count
                    + " entries) does not fit the file");
        }
        ByteBuffer cd = read(cdOffset, (int) cdSize, "the central directory");
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cdSize || cd.getInt(p) != CENTRAL_SIG) {
                throw corrupt("central directory entry " + i + " has a bad signature");
            }
            int flags = cd.getShort(p + 8) & 0xFFFF;
            int method = cd.getShort(p + 10) & 0xFFFF;
            long crc = cd.getInt(p + 16) & 0xFFFFFFFFL;
            long csize = cd.getInt(p + 20) & 0xFFFFFFFFL;
            long usize = cd.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = cd.getShort(p + 28) & 0xFFFF;
            int extraLen = cd.getShort(p + 30) & 0xFFFF;
            int commentLen = cd.getShort(p + 32) & 0xFFFF;
            long local = cd.getInt(p + 42) & 0xFFFFFFFFL;
            int next = p + 46 + nameLen + extraLen + commentLen;
            if (next > cdSize) {
                throw corrupt("central directory entry " + i + " runs past the directory");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64 extended information: the 0xFFFFFFFF fields, in this order.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xFFFF;
                int len = cd.getShort(x + 2) & 0xFFFF;
                if (x + 4 + len > xEnd) {
                    throw corrupt("central directory entry '" + name + "' has a malformed extra field");
                }
                if (id == 0x0001) {
                    int q = x + 4;
                    int qEnd = q + len;
                    if (usize == 0xFFFFFFFFL) {
                        usize = zip64Field(cd, q, qEnd, name);
                        q += 8;
                    }
                    if (csize == 0xFFFFFFFFL) {
                        csize = zip64Field(cd, q, qEnd, name);
                        q += 8;
                    }
                    if (local == 0xFFFFFFFFL) {
                        local = zip64Field(cd, q, qEnd, name);
                    }
                }
                x += 4 + len;
            }
            if (local < 0 || csize < 0 || usize < 0 || local + 30 > cdOffset) {
                throw corrupt("entry '" + name + "' points outside the archive");
            }
            if (out.put(name, new Entry(name, method, csize, usize, crc, local, flags)) != null) {
                throw corrupt("entry '" + name + "' appears twice");
            }
            p = next;
        }
        return Collections.unmodifiableMap(out);
    }

    private long zip64Field(ByteBuffer cd, int q, int qEnd, String name) {
        if (q + 8 > qEnd) {
            throw corrupt("entry '" + name + "' lacks its ZIP64 size/offset field");
        }
        return cd.getLong(q);
    }

    private long findEndOfCentralDirectory() throws IOException {
        int window = (int) Math.min(fileSize, EOCD_SIZE + 0xFFFF);
        long start = fileSize - window;
        ByteBuffer tail = read(start, window, "the end of the file");
        for (int i = window - EOCD_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG) {
                int commentLen = tail.getShort(i + 20) & 0xFFFF;
                if (i + EOCD_SIZE + commentLen == window) {
                    return start + i;
                }
            }
        }
        throw truncated("its end-of-central-directory record is missing");
    }

    // ------------------------------------------------------------------ I/O

    private ByteBuffer read(long offset, int length, String what) throws IOException {
        if (offset < 0 || offset + length > fileSize) {
            throw truncated(what + " lies beyond the end of the file");
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readInto(offset, b, what);
        return b.flip();
    }

    private void readInto(long offset, ByteBuffer b, String what) throws IOException {
        long at = offset;
        while (b.hasRemaining()) {
            int n = channel.read(b, at);
            if (n < 0) {
                throw truncated(what + " lies beyond the end of the file");
            }
            at += n;
        }
    }

    private CheckpointException truncated(String detail) {
        return new CheckpointException(displayName + " is not a complete zip archive: " + detail
                + ". The file is truncated or corrupt (an interrupted download or copy?); download it again and "
                + "compare its size and sha256 with the published ones.");
    }

    private CheckpointException corrupt(String detail) {
        return new CheckpointException(displayName + " is a corrupt zip archive: " + detail
                + ". Download the checkpoint again (compare its size and sha256 with the published ones).");
    }
}
