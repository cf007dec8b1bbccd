package dev.groundingdino.cli.web;

import dev.groundingdino.ImageInput;
import dev.groundingdino.sam.CocoRle;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.GroundedSamResult;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.sam.Segmenter;
import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The page's "segment with SAM" switch on the tiny golden GroundingDINO and SAM checkpoints: the server announces
 * SAM, and a request with {@code sam=true} returns the same detections as without, drawn with masks over an image of
 * the input's size. The input is a 400x100 crop of the golden panorama, so both forward passes are quick.
 */
class WebDemoSamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void segmentsTheDetectedBoxesWhenSamIsConfigured() throws Exception {
        Path suite = Golden.gdinoSuite();
        BufferedImage pano = ImageIO.read(Golden.file("images/synth_pano_2000x100.png").toFile());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(pano.getSubimage(0, 0, 400, 100), "png", png);
        byte[] image = png.toByteArray();
        HttpClient http = HttpClient.newHttpClient();

        try (Detector detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                        .build();
                Segmenter segmenter = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"));
                WebDemoServer server = WebDemoServer.start(detector, segmenter,
                        WebDemoOptions.defaults().withAddress("127.0.0.1", 0))) {
            JsonNode info = JSON.readTree(http.send(HttpRequest.newBuilder(server.uri().resolve("/api/info")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(info.get("sam").asBoolean()).isTrue();
            assertThat(info.get("samVariant").asText()).isEqualTo(segmenter.variant());

            String query = WebDemoServerTest.query("cat . dog", 0.85, 0.5);
            JsonNode plain = post(http, server.uri(), query + "&sam=false", image);
            JsonNode masked = post(http, server.uri(), query + "&sam=true", image);

            DetectionResult expected;
            try (Detector tuned = detector.withThresholds(0.85, 0.5)) {
                expected = tuned.detect(ImageInput.of(image), "cat . dog");
            }
            assertThat(expected.size()).as("the crop must give the tiny model something to segment").isPositive();
            assertThat(masked.get("segmented").asBoolean()).isTrue();
            assertThat(plain.get("segmented").asBoolean()).isFalse();
            assertThat(masked.get("summary").asText()).isEqualTo(DetectionSummary.of(expected))
                    .isEqualTo(plain.get("summary").asText());
            BufferedImage withMasks = WebDemoServerTest.dataUrlImage(masked.get("image").asText());
            BufferedImage boxesOnly = WebDemoServerTest.dataUrlImage(plain.get("image").asText());
            assertThat(withMasks.getWidth()).isEqualTo(400);
            assertThat(withMasks.getHeight()).isEqualTo(100);
            assertThat(differingPixels(withMasks, boxesOnly)).as("the masks tint the image").isGreaterThan(100);
            // every segmented detection carries its mask as COCO RLE, equal to the library's own Grounded-SAM mask
            GroundedSamResult library;
            try (Detector tuned = detector.withThresholds(0.85, 0.5)) {
                library = GroundedSam.run(tuned, segmenter, ImageInput.of(image), "cat . dog");
            }
            JsonNode dets = masked.get("detections");
            assertThat(dets).hasSize(library.masks().size());
            for (int i = 0; i < dets.size(); i++) {
                JsonNode mask = dets.get(i).get("mask");
                CocoRle rle = library.masks().get(i).mask().toRle();
                assertThat(mask.get("size").get(0).asInt()).isEqualTo(100);
                assertThat(mask.get("size").get(1).asInt()).isEqualTo(400);
                assertThat(mask.get("counts").asText()).isEqualTo(rle.toCompressedString());
                assertThat(mask.get("area").asLong()).isEqualTo(library.masks().get(i).mask().area());
                assertThat(plain.get("detections").get(i).has("mask")).isFalse();
            }
        }
    }

    private static JsonNode post(HttpClient http, URI base, String query, byte[] body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "api/detect?" + query))
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int pa = a.getRGB(x, y);
                int pb = b.getRGB(x, y);
                int d = Math.abs(((pa >> 16) & 255) - ((pb >> 16) & 255)) + Math.abs(((pa >> 8) & 255)
                        - ((pb >> 8) & 255)) + Math.abs((pa & 255) - (pb & 255));
                if (d > 30) {
                    n++;
                }
            }
        }
        return n;
    }
}
