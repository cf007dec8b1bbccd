package dev.groundingdino.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.testing.Golden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Missing, empty, truncated, corrupt and foreign files are CheckpointExceptions that say what to do. */
class CheckpointFileErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void missingFileDirectoryAndEmptyFile() throws IOException {
        assertThatThrownBy(() -> StateDict.read(tmp.resolve("nope.pth"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not found").hasMessageContaining("nope.pth");
        assertThatThrownBy(() -> StateDict.read(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is a directory");
        Path empty = Files.createFile(tmp.resolve("empty.safetensors"));
        assertThatThrownBy(() -> StateDict.read(empty)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("empty (0 bytes)").hasMessageContaining("Download it again");
        assertThatThrownBy(() -> PthReader.readObject(tmp.resolve("nope.pth"))).isInstanceOf(CheckpointException.class);
    }

    @Test
    void wrongMagicAndLegacyFormats() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.pth"), "these are not the weights you are looking for");
        assertThatThrownBy(() -> StateDict.read(text)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a PyTorch .pth or .safetensors checkpoint");
        Path json = Files.writeString(tmp.resolve("config.pth"), "{\"model\": \"swin\", \"layers\": [1, 2, 3]}");
        assertThatThrownBy(() -> StateDict.read(json)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("JSON");
        // torch < 1.6: a raw pickle starting with the magic number 0x1950a86a20f9469cfc6c
        Path legacy = Files.write(tmp.resolve("old.pth"), UnpicklerTest.hexBytes(
                "80028a0a6cfc9c46f9206aa8501942" + "00".repeat(40)));
        assertThatThrownBy(() -> StateDict.read(legacy)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("legacy").hasMessageContaining("newer torch");
        // a safetensors header of 0x180 bytes starts with 0x80 0x01 like a protocol-1 pickle: still safetensors
        String header = "{\"__metadata__\":{\"pad\":\"" + "x".repeat(0x180 - 27) + "\"}}";
        assertThat(header.length()).isEqualTo(0x180);
        ByteBuffer st = ByteBuffer.allocate(8 + 0x180).order(ByteOrder.LITTLE_ENDIAN);
        st.putLong(0x180).put(header.getBytes());
        Path ambiguous = Files.write(tmp.resolve("a.safetensors"), st.array());
        try (StateDict sd = StateDict.read(ambiguous)) {
            assertThat(sd.size()).isZero();
            assertThat(sd.metadata()).containsKey("pad");
        }
        byte[] tar = new byte[1024];
        System.arraycopy("ustar".getBytes(), 0, tar, 257, 5);
        Path tarFile = Files.write(tmp.resolve("older.pth"), tar);
        assertThatThrownBy(() -> StateDict.read(tarFile)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tar archive");
        Path emptyZip = Files.write(tmp.resolve("e.pth"), new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> StateDict.read(emptyZip)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("empty or split zip");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.00001, 0.001, 0.25, 0.5, 0.999, 0.99999})
    void truncatedPthAndSafetensors(double fraction) throws IOException {
        for (Path source : new Path[] {Golden.samSuite().resolve("sam.pth"),
            Golden.samSuite().resolve("sam.safetensors")}) {
            byte[] all = Files.readAllBytes(source);
            int cut = Math.max(1, (int) (all.length * fraction));
            Path f = Files.write(tmp.resolve("cut-" + source.getFileName()), Arrays.copyOf(all, cut));
            assertThatThrownBy(() -> StateDict.read(f)).as(source.getFileName() + " cut at " + cut)
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageMatching("(?s).*(truncated|corrupt|too few).*");
        }
    }

    @Test
    void truncatedByOneByteOrJustTheEndRecord() throws IOException {
        byte[] all = Files.readAllBytes(Golden.samSuite().resolve("sam.pth"));
        for (int drop : new int[] {1, 21, 22, 23, 100}) {
            Path f = Files.write(tmp.resolve("cut.pth"), Arrays.copyOf(all, all.length - drop));
            assertThatThrownBy(() -> StateDict.read(f)).as("minus " + drop).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void corruptedZips() throws IOException {
        byte[] all = Files.readAllBytes(Golden.samSuite().resolve("sam.pth"));
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = all.length - 22;
        assertThat(b.getInt(eocd)).isEqualTo(0x06054b50);
        int cdOffset = b.getInt(eocd + 16);

        byte[] badCentral = all.clone();
        badCentral[cdOffset] ^= 0x55;
        assertCorrupt(badCentral, "central directory entry 0");

        byte[] badPickle = all.clone();
        badPickle[200] ^= 0x01; // inside sam/data.pkl: the CRC check catches it
        assertCorrupt(badPickle, "CRC-32");

        byte[] badLocal = all.clone();
        int second = cdOffset + 46 + (b.getShort(cdOffset + 28) & 0xFFFF) + (b.getShort(cdOffset + 30) & 0xFFFF)
                + (b.getShort(cdOffset + 32) & 0xFFFF);
        int secondLocal = b.getInt(second + 42); // local header of sam/data/0
        assertThat(secondLocal).isPositive();
        badLocal[secondLocal] ^= 0x55;
        assertCorrupt(badLocal, "local header");

        byte[] badDirectory = all.clone();
        ByteBuffer.wrap(badDirectory).order(ByteOrder.LITTLE_ENDIAN).putInt(eocd + 16, all.length);
        assertCorrupt(badDirectory, "does not fit the file");

        byte[] compressedMethod = all.clone();
        ByteBuffer.wrap(compressedMethod).order(ByteOrder.LITTLE_ENDIAN).putShort(cdOffset + 10, (short) 14);
        assertCorrupt(compressedMethod, "compression method 14");
    }

    private void assertCorrupt(byte[] bytes, String message) throws IOException {
        Path f = Files.write(tmp.resolve("corrupt.pth"), bytes);
        assertThatThrownBy(() -> StateDict.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(message);
    }
}
