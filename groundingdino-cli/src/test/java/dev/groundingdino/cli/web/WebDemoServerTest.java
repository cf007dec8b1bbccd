package dev.groundingdino.cli.web;

import dev.groundingdino.ImageInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web demo's HTTP API without a browser, on the tiny golden checkpoint and the golden panorama (2000x100, a
 * quick forward pass): the page and its controls, detections equal to the library's, every kind of bad request
 * answered with a message and never a stack trace, and concurrent requests sharing the one detector.
 */
class WebDemoServerTest {
    private static final String PROMPT = "cat . dog";
    private static final double BOX = 0.89;
    private static final double TEXT = 0.72;
    private static final long MAX_UPLOAD = 512 * 1024;
    private static final int MAX_SIDE = 2500;

    private static Detector detector;
    private static WebDemoServer server;
    private static byte[] pano;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws IOException {
        Path suite = Golden.gdinoSuite();
        pano = Files.readAllBytes(Golden.file("images/synth_pano_2000x100.png"));
        detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json")).build();
        server = WebDemoServer.start(detector, null, WebDemoOptions.defaults().withAddress("127.0.0.1", 0)
                .withLimits(MAX_UPLOAD, MAX_SIDE, 200).withWorkers(2, 6));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (detector != null) {
            detector.close();
        }
    }

    @Test
    void servesThePageWithItsControlsOnLoopback() throws Exception {
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'"));
        assertThat(page.body()).contains("Objects to detect", "value=\"person . car . dog\"",
                "placeholder=\"object1 . object2 . object3\"", "id=\"box-threshold\"", "min=\"0.1\" max=\"0.9\"",
                "value=\"0.35\"", "value=\"0.25\"", "Segment with SAM", "type=\"file\"");
        assertThat(get("/app.js").body()).contains("api/detect");
        assertThat(get("/style.css").statusCode()).isEqualTo(200);
    }

    @Test
    void infoDescribesTheModelAndTheLimits() throws Exception {
        JsonNode info = JSON.readTree(get("/api/info").body());
        assertThat(info.get("demo").asBoolean()).isFalse();
        assertThat(info.get("sam").asBoolean()).isFalse();
        assertThat(info.get("model").asText()).isEqualTo(detector.variant());
        assertThat(info.get("maxUploadBytes").asLong()).isEqualTo(MAX_UPLOAD);
        assertThat(info.get("maxImageSide").asInt()).isEqualTo(MAX_SIDE);
        assertThat(info.get("boxThreshold").asDouble()).isEqualTo(0.35);
        assertThat(info.get("textThreshold").asDouble()).isEqualTo(0.25);
    }

    @Test
    void detectsLikeTheLibraryAndReturnsTheAnnotatedImageOfTheInputSize() throws Exception {
        DetectionResult expected;
        try (Detector tuned = detector.withThresholds(BOX, TEXT)) {
            expected = tuned.detect(ImageInput.of(pano), PROMPT);
        }
        assertThat(expected.size()).isPositive();

        HttpResponse<String> response = detect(query(PROMPT, BOX, TEXT), pano);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("summary").asText()).isEqualTo(DetectionSummary.of(expected))
                .startsWith("Found " + expected.size() + " objects: ");
        assertThat(body.get("count").asInt()).isEqualTo(expected.size());
        assertThat(body.get("detections")).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode d = body.get("detections").get(i);
            assertThat(d.get("label").asText()).isEqualTo(expected.detections().get(i).label());
            assertThat(d.get("score").asDouble()).isEqualTo(expected.detections().get(i).score());
            assertThat(d.get("box").get(2).asDouble()).isEqualTo(expected.detections().get(i).box().x1());
        }
        BufferedImage annotated = dataUrlImage(body.get("image").asText());
        assertThat(annotated.getWidth()).isEqualTo(2000);
        assertThat(annotated.getHeight()).isEqualTo(100);
        assertThat(body.get("demo").asBoolean()).isFalse();
        assertThat(body.get("segmented").asBoolean()).isFalse();
    }

    @Test
    void badUploadsGetAClearMessageAndNeverAStackTrace() throws Exception {
        String ok = query(PROMPT, BOX, TEXT);
        assertProblem(detect(ok, new byte[0]), 400, "No image was uploaded");
        assertProblem(detect(ok, "just some text, not a picture".getBytes(StandardCharsets.UTF_8)), 400,
                "not an image this demo accepts");
        assertProblem(detect(ok, new byte[(int) MAX_UPLOAD + 1]), 413, "at most 512 KB");
        assertProblem(detect(ok, png(MAX_SIDE + 1, 8)), 413, "at most " + MAX_SIDE + " pixels on each side");
        byte[] truncated = Arrays.copyOf(Files.readAllBytes(Golden.file("images/cat_dog.jpeg")), 20_000);
        assertProblem(detect(ok, truncated), 400, "could not be used");
    }

    @Test
    void badSettingsGetAClearMessage() throws Exception {
        assertProblem(detect(query("  ", BOX, TEXT), pano), 400, "The prompt is empty");
        assertProblem(detect(query(" . . ", BOX, TEXT), pano), 400, "names no object");
        assertProblem(detect(query("x".repeat(201), BOX, TEXT), pano), 400, "at most 200");
        assertProblem(detect(query(PROMPT, 0.95, TEXT), pano), 400, "between 0.1 and 0.9");
        assertProblem(detect("prompt=cat&box=abc&text=0.25", pano), 400, "must be a number");
        assertProblem(detect("prompt=cat&box=0.35&text=zero", pano), 400, "must be a number");
        assertProblem(detect(query(PROMPT, BOX, TEXT) + "&sam=true", pano), 400, "SAM is not configured");
        assertProblem(get("/api/detect"), 405, "use POST");
        assertProblem(get("/nothing-here"), 404, "The demo page is at /");
    }

    @Test
    void missingThresholdsTakeThePublishedDefaultsAndFormUploadsWork() throws Exception {
        JsonNode info = JSON.readTree(get("/api/info").body());
        HttpResponse<String> explicit = detect(query(PROMPT, info.get("boxThreshold").asDouble(),
                info.get("textThreshold").asDouble()), pano);
        assertThat(explicit.statusCode()).as(explicit.body()).isEqualTo(200);
        HttpResponse<String> defaults = detect("prompt=" + PROMPT.replace(" ", "%20"), pano);
        assertThat(defaults.statusCode()).as(defaults.body()).isEqualTo(200);
        String summary = JSON.readTree(explicit.body()).get("summary").asText();
        assertThat(JSON.readTree(defaults.body()).get("summary").asText()).isEqualTo(summary);

        // multipart/form-data, as a browser form or curl -F image=@pano.png -F prompt=... sends it
        String boundary = "----gdino-test-boundary";
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n" + PROMPT
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"pano.png\""
                + "\r\nContent-Type: image/png\r\n\r\n";
        body.write(head.getBytes(StandardCharsets.UTF_8));
        body.write(pano);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(server.uri() + "api/detect"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
        assertThat(JSON.readTree(form.body()).get("summary").asText()).isEqualTo(summary);
        HttpResponse<String> noFile = HTTP.send(HttpRequest.newBuilder(URI.create(server.uri() + "api/detect"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; "
                        + "name=\"prompt\"\r\n\r\ncat\r\n--" + boundary + "--\r\n")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(noFile, 400, "no file part");
    }

    @Test
    void concurrentRequestsShareTheDetectorAndAgree() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(HTTP.sendAsync(detectRequest(query(PROMPT, BOX, TEXT), pano),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<String> summaries = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = call.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            summaries.add(JSON.readTree(r.body()).get("summary").asText());
        }
        assertThat(summaries).hasSize(5).containsOnly(summaries.get(0));
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> WebDemoOptions.defaults().withWorkers(0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers");
        assertThatThrownBy(() -> WebDemoOptions.defaults().withAddress("127.0.0.1", 70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> WebDemoOptions.defaults().withLimits(0, 10, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upload");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static String query(String prompt, double box, double text) {
        return "prompt=" + URLEncoder.encode(prompt, StandardCharsets.UTF_8) + "&box=" + box + "&text=" + text;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest detectRequest(String query, byte[] body) {
        return HttpRequest.newBuilder(URI.create(server.uri() + "api/detect?" + query))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static HttpResponse<String> detect(String query, byte[] body) throws IOException, InterruptedException {
        return HTTP.send(detectRequest(query, body), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String message) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        String error = JSON.readTree(response.body()).get("error").asText();
        assertThat(error).contains(message).doesNotContain("Exception", "\tat ", "at dev.groundingdino");
    }

    static BufferedImage dataUrlImage(String dataUrl) throws IOException {
        assertThat(dataUrl).startsWith("data:image/jpeg;base64,");
        byte[] bytes = Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image).as("the returned image decodes").isNotNull();
        return image;
    }

    private static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }
}
