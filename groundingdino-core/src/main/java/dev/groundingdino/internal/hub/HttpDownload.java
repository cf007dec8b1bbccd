package dev.groundingdino.internal.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/**
 * Plain HTTP downloads of model files (JDK client, 10 s connect timeout, redirects followed): the one place the
 * library touches the network, and only when a caller asks for a download.
 */
public final class HttpDownload {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private HttpDownload() {}

    /** A failed request: {@code status} is the HTTP status, or 0 when no response came. */
    public static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Failure(String message, int status) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * The headers of {@code url} without following redirects (a {@code HEAD}): the Hugging Face Hub answers a
     * {@code resolve} URL with the file's {@code X-Linked-Etag} (SHA-256 of a large file) before redirecting.
     *
     * @throws Failure for a status other than 2xx / 3xx
     */
    public static HttpHeaders head(URI url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(url)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() >= 400) {
            throw new Failure(url + ": HTTP " + response.statusCode(), response.statusCode());
        }
        return response.headers();
    }

    /**
     * Downloads {@code url} into {@code file} (replacing it), following redirects.
     *
     * @param progress receives the number of bytes received so far, or null
     * @throws Failure for a status other than 200
     */
    public static void get(URI url, Path file, LongConsumer progress) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(url).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new Failure(url + ": HTTP " + response.statusCode(), response.statusCode());
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                total += n;
                if (progress != null) {
                    progress.accept(total);
                }
            }
        }
    }

    /** The lowercase hex digest ({@code SHA-256}, {@code SHA-1}, ...) of a file, after {@code prefix} bytes. */
    public static String digest(String algorithm, byte[] prefix, Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + algorithm, e);
        }
        digest.update(prefix);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
