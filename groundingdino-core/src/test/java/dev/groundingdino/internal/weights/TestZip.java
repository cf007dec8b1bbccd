package dev.groundingdino.internal.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal zip writer for test archives: STORED entries 64-byte aligned like torch.save (or unaligned),
 * DEFLATED entries, sparse "holes" of zeros (for multi-GB files that cost no disk), and ZIP64 records whenever
 * a size or offset needs them.
 */
final class TestZip {
    /**
     * One entry: {@code data}, or {@code holeSize} zero bytes left as a sparse hole (its CRC field is 0: storage
     * records are memory-mapped, not CRC-checked).
     */
    record Item(String name, byte[] data, long holeSize, boolean deflate) {
        static Item of(String name, byte[] data) {
            return new Item(name, data, 0, false);
        }

        static Item hole(String name, long size) {
            return new Item(name, null, size, false);
        }

        long size() {
            return data == null ? holeSize : data.length;
        }
    }

    private record Written(Item item, long localOffset, long csize, long crc, int method) {}

    private TestZip() {}

    static void write(Path out, List<Item> items, boolean align64) throws IOException {
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            List<Written> written = new ArrayList<>();
            for (Item item : items) {
                byte[] payload = item.data();
                int method = 0;
                long crc = 0;
                if (payload != null) {
                    CRC32 c = new CRC32();
                    c.update(payload);
                    crc = c.getValue();
                    if (item.deflate()) {
                        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                        d.setInput(payload);
                        d.finish();
                        byte[] buf = new byte[payload.length + 1024];
                        int n = 0;
                        while (!d.finished()) {
                            n += d.deflate(buf, n, buf.length - n);
                        }
                        d.end();
                        payload = java.util.Arrays.copyOf(buf, n);
                        method = 8;
                    }
                }
                long csize = payload == null ? item.holeSize() : payload.length;
                long usize = item.size();
                byte[] name = item.name().getBytes(StandardCharsets.UTF_8);
                boolean z64 = usize >= 0xFFFFFFFFL || csize >= 0xFFFFFFFFL;
                int extraLen = z64 ? 20 : 0;
                long dataStart = pos + 30 + name.length + extraLen;
                int pad = 0;
                if (align64) {
                    pad = (int) ((64 - dataStart % 64) % 64);
                    if (pad > 0 && pad < 4) {
                        pad += 64; // the padding extra field needs a 4-byte header
                    }
                }
                ByteBuffer h = le(30 + name.length + extraLen + pad);
                h.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) method)
                        .putShort((short) 0).putShort((short) 0).putInt((int) crc)
                        .putInt(z64 ? -1 : (int) csize).putInt(z64 ? -1 : (int) usize)
                        .putShort((short) name.length).putShort((short) (extraLen + pad)).put(name);
                if (z64) {
                    h.putShort((short) 1).putShort((short) 16).putLong(usize).putLong(csize);
                }
                if (pad > 0) {
                    h.putShort((short) 0x4246).putShort((short) (pad - 4)).put(new byte[pad - 4]);
                }
                h.flip();
                writeAt(ch, h, pos);
                long localOffset = pos;
                pos += h.limit();
                if (payload != null) {
                    writeAt(ch, ByteBuffer.wrap(payload), pos);
                }
                pos += csize;
                written.add(new Written(item, localOffset, csize, crc, method));
            }
            long cdStart = pos;
            for (Written w : written) {
                byte[] name = w.item().name().getBytes(StandardCharsets.UTF_8);
                long usize = w.item().size();
                boolean zs = usize >= 0xFFFFFFFFL || w.csize() >= 0xFFFFFFFFL;
                boolean zo = w.localOffset() >= 0xFFFFFFFFL;
                int extraLen = (zs || zo) ? 4 + (zs ? 16 : 0) + (zo ? 8 : 0) : 0;
                ByteBuffer c = le(46 + name.length + extraLen);
                c.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0)
                        .putShort((short) w.method()).putShort((short) 0).putShort((short) 0).putInt((int) w.crc())
                        .putInt(zs ? -1 : (int) w.csize()).putInt(zs ? -1 : (int) usize)
                        .putShort((short) name.length).putShort((short) extraLen).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0).putInt(0).putInt(zo ? -1 : (int) w.localOffset())
                        .put(name);
                if (extraLen > 0) {
                    c.putShort((short) 1).putShort((short) (extraLen - 4));
                    if (zs) {
                        c.putLong(usize).putLong(w.csize());
                    }
                    if (zo) {
                        c.putLong(w.localOffset());
                    }
                }
                c.flip();
                writeAt(ch, c, pos);
                pos += c.limit();
            }
            long cdSize = pos - cdStart;
            boolean z64 = cdStart >= 0xFFFFFFFFL || written.size() >= 0xFFFF;
            if (z64) {
                long recordAt = pos;
                ByteBuffer r = le(56 + 20);
                r.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                        .putLong(written.size()).putLong(written.size()).putLong(cdSize).putLong(cdStart);
                r.putInt(0x07064b50).putInt(0).putLong(recordAt).putInt(1);
                r.flip();
                writeAt(ch, r, pos);
                pos += r.limit();
            }
            ByteBuffer e = le(22);
            e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) (z64 ? -1 : written.size())).putShort((short) (z64 ? -1 : written.size()))
                    .putInt(z64 ? -1 : (int) cdSize).putInt(z64 ? -1 : (int) cdStart).putShort((short) 0);
            e.flip();
            writeAt(ch, e, pos);
        }
    }

    /** Data offset of entry {@code name} in an archive written by {@link #write} (via the product's parser). */
    static long dataOffset(Path zip, String name) throws IOException {
        try (FileChannel ch = FileChannel.open(zip)) {
            ZipArchive a = ZipArchive.open(ch, zip);
            return a.dataOffset(a.entries().get(name));
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeAt(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
    }
}
