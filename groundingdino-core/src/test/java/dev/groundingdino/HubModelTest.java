package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face models by name: the catalogue, the caches (ours and huggingface_hub's) and downloads, from a local
 * server that answers like the Hub (a HEAD gives the file's hash: {@code X-Linked-Etag} SHA-256 for the weights, the
 * git blob SHA-1 {@code ETag} for {@code config.json}).
 */
class HubModelTest {
    static final byte[] CONFIG = "{\"model_type\": \"grounding-dino\"}".getBytes(StandardCharsets.UTF_8);
    static final byte[] WEIGHTS = "pretend safetensors bytes".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;
    HttpServer server;
    final Map<String, String> published = new ConcurrentHashMap<>(); // path -> header value to send
    final Map<String, Integer> gets = new ConcurrentHashMap<>();

    @BeforeEach
    void startHub() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/IDEA-Research/grounding-dino-tiny/resolve/main/", this::serve);
        server.start();
        published.put("config.json", "\"" + hex("SHA-1", ("blob " + CONFIG.length + "\0").getBytes(
                StandardCharsets.US_ASCII), CONFIG) + "\"");
        published.put("model.safetensors", "\"" + hex("SHA-256", new byte[0], WEIGHTS) + "\"");
    }

    @AfterEach
    void stopHub() {
        server.stop(0);
    }

    private void serve(HttpExchange ex) throws IOException {
        String file = ex.getRequestURI().getPath().substring(ex.getRequestURI().getPath().lastIndexOf('/') + 1);
        byte[] body = file.equals("config.json") ? CONFIG : file.equals("model.safetensors") ? WEIGHTS : null;
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        ex.getResponseHeaders().add(file.equals("config.json") ? "ETag" : "X-Linked-Etag", published.get(file));
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        gets.merge(file, 1, Integer::sum);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private HubModel served(Path cache) {
        return HubModel.GROUNDING_DINO_TINY.inCache(cache)
                .withEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .withHuggingFaceCache(tmp.resolve("hf-empty"));
    }

    @Test
    void knowsTheModelsByRepositoryNameAndId() {
        assertThat(HubModel.byName("grounding-dino-tiny")).contains(HubModel.GROUNDING_DINO_TINY);
        assertThat(HubModel.byName("IDEA-Research/Grounding-DINO-Tiny")).contains(HubModel.GROUNDING_DINO_TINY);
        assertThat(HubModel.byName("llmdet_tiny")).contains(HubModel.LLMDET_TINY);
        assertThat(HubModel.byName("mm_grounding_dino_tiny_o365v1_goldg_v3det"))
                .contains(HubModel.MM_GROUNDING_DINO_TINY);
        assertThat(HubModel.byName("groundingdino_swint_ogc")).isEmpty();
        assertThat(HubModel.all()).hasSize(13).extracting(HubModel::repoId).doesNotHaveDuplicates();
        assertThat(HubModel.LLMDET_TINY.fileUrl("config.json").toString()).isIn(
                "https://huggingface.co/iSEE-Laboratory/llmdet_tiny/resolve/main/config.json",
                System.getenv("HF_ENDPOINT") + "/iSEE-Laboratory/llmdet_tiny/resolve/main/config.json");
        assertThatThrownBy(() -> HubModel.repository("not a repo", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner/name");
    }

    @Test
    void aMissingModelFailsAtOnceSayingWhereToPutBothFiles() {
        HubModel m = served(tmp.resolve("cache"));
        assertThatThrownBy(m::locate).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("resolve/main/config.json").hasMessageContaining("resolve/main/model.safetensors")
                .hasMessageContaining(tmp.resolve("cache").resolve("grounding-dino-tiny").toString());
        assertThat(gets).isEmpty(); // locate never downloads
    }

    @Test
    void downloadsBothFilesVerifiesThemAndThenFindsThemOffline() throws Exception {
        HubModel m = served(tmp.resolve("cache"));
        long[] received = new long[1];
        Path folder = m.download(n -> received[0] = n);
        assertThat(folder).isEqualTo(tmp.resolve("cache/grounding-dino-tiny"));
        assertThat(folder.resolve("config.json")).hasBinaryContent(CONFIG);
        assertThat(folder.resolve("model.safetensors")).hasBinaryContent(WEIGHTS);
        assertThat(received[0]).isEqualTo(WEIGHTS.length);
        try (var files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsOnly("config.json", "model.safetensors");
        }
        assertThat(m.locate()).isEqualTo(folder);
        m.download(null);
        assertThat(gets).containsEntry("model.safetensors", 1); // not fetched again
    }

    @Test
    void aFileThatDoesNotMatchThePublishedHashIsRejectedAndNotKept() {
        published.put("model.safetensors", "\"" + "0".repeat(64) + "\"");
        HubModel m = served(tmp.resolve("cache"));
        assertThatThrownBy(() -> m.download(null)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("a damaged download").hasMessageContaining("by other means");
        assertThat(tmp.resolve("cache/grounding-dino-tiny/model.safetensors")).doesNotExist();
        assertThat(tmp.resolve("cache/grounding-dino-tiny/model.safetensors.part")).doesNotExist();
    }

    @Test
    void aMissingRepositoryOrRevisionIsNamed() {
        HubModel m = served(tmp.resolve("cache")).atRevision("v9");
        assertThatThrownBy(() -> m.download(null)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("does not exist");
        assertThat(m.cachedFolder().getFileName().toString()).isEqualTo("grounding-dino-tiny@v9");
    }

    @Test
    void aHuggingFaceHubDownloadIsFoundWithoutDownloadingAgain() throws Exception {
        Path hf = tmp.resolve("hf");
        Path repo = hf.resolve("models--IDEA-Research--grounding-dino-tiny");
        String commit = "a2bb814dd30d776dcf7e30523b00659f4f141c71";
        Path snapshot = repo.resolve("snapshots").resolve(commit);
        Files.createDirectories(snapshot);
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);
        Files.write(snapshot.resolve("config.json"), CONFIG);
        HubModel m = served(tmp.resolve("cache")).withHuggingFaceCache(hf);
        assertThatThrownBy(m::locate).isInstanceOf(CheckpointException.class); // half a snapshot is not enough
        Files.write(snapshot.resolve("model.safetensors"), WEIGHTS);
        assertThat(m.locate()).isEqualTo(snapshot);
        assertThat(m.download(null)).isEqualTo(snapshot);
        assertThat(m.atRevision(commit).locate()).isEqualTo(snapshot);
        assertThat(gets).isEmpty();
    }

    private static String hex(String algorithm, byte[] prefix, byte[] data) {
        try {
            MessageDigest d = MessageDigest.getInstance(algorithm);
            d.update(prefix);
            return HexFormat.of().formatHex(d.digest(data));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
