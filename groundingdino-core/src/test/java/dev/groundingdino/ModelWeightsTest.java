package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official-weights helper: names, cache folder, verification, and downloads (from a local server only). */
class ModelWeightsTest {
    static final byte[] CONTENT = "not really a checkpoint, but hashable".getBytes(StandardCharsets.US_ASCII);

    /** A fake release file whose size and hash are those of {@link #CONTENT}. */
    static ModelWeights fake(Path cache, URI url) throws Exception {
        Path tmp = Files.createTempFile("fake", ".bin");
        Files.write(tmp, CONTENT);
        String sha = ModelWeights.sha256(tmp);
        Files.delete(tmp);
        return new ModelWeights("fake", "fake.pth", "a fake release file", List.of(url), CONTENT.length, sha)
                .inCache(cache);
    }

    @Test
    void knowsBothReleasesByTheirNamesAndAliases() {
        assertThat(ModelWeights.byName("groundingdino_swint_ogc")).contains(ModelWeights.SWINT_OGC);
        assertThat(ModelWeights.byName("GroundingDINO_SwinT_OGC.pth")).contains(ModelWeights.SWINT_OGC);
        assertThat(ModelWeights.byName("swinb")).contains(ModelWeights.SWINB_COGCOOR);
        assertThat(ModelWeights.byName("weights.pth")).isEmpty();
        assertThat(ModelWeights.SWINT_OGC.sha256()).hasSize(64).startsWith("3b3ca256");
        assertThat(ModelWeights.SWINB_COGCOOR.size()).isEqualTo(938_057_991L);
        assertThat(ModelWeights.SWINT_OGC.urls().get(0).toString())
                .isEqualTo("https://github.com/IDEA-Research/GroundingDINO/releases/download/v0.1.0-alpha/"
                        + "groundingdino_swint_ogc.pth");
    }

    @Test
    void cacheFolderFollowsThePropertyThenXdgThenHome(@TempDir Path tmp) {
        String previous = System.getProperty(ModelWeights.CACHE_PROPERTY);
        try {
            System.setProperty(ModelWeights.CACHE_PROPERTY, tmp.toString());
            assertThat(ModelWeights.SWINT_OGC.cachedFile()).isEqualTo(tmp.resolve("groundingdino_swint_ogc.pth"));
            System.clearProperty(ModelWeights.CACHE_PROPERTY);
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path expected = xdg != null && !xdg.isBlank() ? Path.of(xdg, "groundingdino")
                    : Path.of(System.getProperty("user.home"), ".cache", "groundingdino");
            assertThat(ModelWeights.cacheDir()).isEqualTo(expected);
        } finally {
            if (previous == null) {
                System.clearProperty(ModelWeights.CACHE_PROPERTY);
            } else {
                System.setProperty(ModelWeights.CACHE_PROPERTY, previous);
            }
        }
    }

    @Test
    void aMissingFileFailsAtOnceSayingWhereToPutIt(@TempDir Path tmp) {
        ModelWeights w = ModelWeights.SWINT_OGC.inCache(tmp);
        assertThatThrownBy(w::locate).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(tmp.resolve("groundingdino_swint_ogc.pth").toString())
                .hasMessageContaining("releases/download/v0.1.0-alpha/groundingdino_swint_ogc.pth")
                .hasMessageContaining("3b3ca2563c77c69f651d7bd133e97139c186df06231157a64c507099c52bc799");
    }

    @Test
    void verifiesSizeAndHashOfAPlacedFileAndRemembersTheResult(@TempDir Path tmp) throws Exception {
        ModelWeights w = fake(tmp, URI.create("http://127.0.0.1:9/none"));
        Files.write(w.cachedFile(), CONTENT);
        assertThat(w.locate()).isEqualTo(w.cachedFile());
        assertThat(tmp.resolve("fake.pth.sha256")).exists();
        assertThat(w.locate()).isEqualTo(w.cachedFile()); // from the record

        byte[] damaged = CONTENT.clone();
        damaged[3] ^= 1;
        Files.write(w.cachedFile(), damaged); // same size, another modification time: hashed again
        Files.setLastModifiedTime(w.cachedFile(), java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(w.cachedFile()).toMillis() + 2000));
        assertThatThrownBy(w::locate).isInstanceOf(CheckpointException.class).hasMessageContaining("SHA-256")
                .hasMessageContaining("Delete it");
        Files.write(w.cachedFile(), new byte[5]);
        assertThatThrownBy(w::locate).isInstanceOf(CheckpointException.class).hasMessageContaining("has 5 bytes");
    }

    @Test
    void downloadsFromTheFirstWorkingAddressAndVerifies(@TempDir Path tmp) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fake.pth", exchange -> {
            exchange.sendResponseHeaders(200, CONTENT.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(CONTENT);
            }
        });
        server.start();
        try {
            URI ok = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fake.pth");
            URI missing = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/missing.pth");
            ModelWeights w = fake(tmp, ok).withUrls(List.of(missing, ok));
            long[] received = new long[1];
            Path file = w.download(n -> received[0] = n);
            assertThat(file).hasBinaryContent(CONTENT);
            assertThat(received[0]).isEqualTo(CONTENT.length);
            assertThat(tmp.resolve("fake.pth.part")).doesNotExist();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachableAddressFailsWithTheManualSteps(@TempDir Path tmp) throws Exception {
        ModelWeights w = fake(tmp, URI.create("http://127.0.0.1:9/fake.pth")); // discard port: refused
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> w.download(null)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Could not download fake.pth").hasMessageContaining("put it at");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(15);
        assertThat(w.cachedFile()).doesNotExist();
    }
}
