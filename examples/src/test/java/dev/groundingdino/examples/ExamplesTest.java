package dev.groundingdino.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.Annotator;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageInput;
import dev.groundingdino.testing.Golden;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every example on the golden tiny checkpoint. The image is the golden panorama (2000x100, resized to 67x1340)
 * so that each forward pass is quick; its golden case gives the expected detections.
 */
class ExamplesTest {
    private static Path suite;
    private static Path pano;
    private static JsonNode panoCase;
    private static Detector detector;

    @BeforeAll
    static void load() {
        suite = Golden.gdinoSuite();
        pano = Golden.file("images/synth_pano_2000x100.png");
        panoCase = Golden.json(suite.resolve("cases/pano_cat-dog/case.json"));
        detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .boxThreshold(panoCase.get("box_threshold").asDouble())
                .textThreshold(panoCase.get("text_threshold").asDouble()).build();
    }

    @AfterAll
    static void close() {
        if (detector != null) {
            detector.close();
        }
    }

    @Test
    void basicUsageDetectsLikeTheReferenceAndWritesTheAnnotatedImage(@TempDir Path tmp) throws Exception {
        Path output = tmp.resolve("output.jpg");
        DetectionResult result = BasicUsage.run(detector, pano, "cat . dog .", output);
        JsonNode predict = panoCase.get("predict");
        assertThat(result.detections()).extracting(Detection::phrase)
                .containsExactlyElementsOf(strings(predict.get("phrases")));
        assertThat(ImageIO.read(output.toFile()).getWidth()).isEqualTo(2000);
    }

    @Test
    void basicUsageMainRunsFromTheCommandLineArguments(@TempDir Path tmp) {
        Path output = tmp.resolve("main.png");
        BasicUsage.main(new String[] {suite.resolve("gdino.pth").toString(), pano.toString(), "cat . dog",
                output.toString(), suite.resolve("config.json").toString()});
        // the example's picture is the library's annotation of the library's detections, pixel for pixel
        Path expected = tmp.resolve("expected.png");
        try (Detector defaults = detector.withThresholds(Detector.DEFAULT_BOX_THRESHOLD,
                Detector.DEFAULT_TEXT_THRESHOLD)) { // main() uses the defaults
            Annotator.write(pano, defaults.detect(ImageInput.of(pano), "cat . dog"), expected);
        }
        assertThat(pixels(output)).isEqualTo(pixels(expected));
    }

    private static int[] pixels(Path png) {
        try {
            java.awt.image.BufferedImage img = ImageIO.read(png.toFile());
            return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void batchFolderPrintsFoundNObjectsPerFile(@TempDir Path tmp) throws Exception {
        Files.copy(pano, tmp.resolve("a.png"));
        Files.copy(pano, tmp.resolve("b.png"));
        Files.writeString(tmp.resolve("notes.txt"), "not an image");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, DetectionResult> results;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            results = BatchFolder.run(detector, tmp, "cat . dog .", 2, out);
        }
        int n = panoCase.get("predict").get("num_boxes").asInt();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList())
                .containsExactly("a.png: Found " + n + " objects", "b.png: Found " + n + " objects");
        assertThat(results.keySet()).containsExactly("a.png", "b.png");
    }

    @Test
    void customPipelineExportsJsonAndAnAnnotatedImage(@TempDir Path tmp) throws Exception {
        DetectionResult result = CustomPipeline.detectAndExport(detector, pano, List.of("cat", "dog"), tmp);
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("detections.json").toFile());
        assertThat(json.get("image").asText()).isEqualTo("synth_pano_2000x100.png");
        assertThat(json.get("width").asInt()).isEqualTo(2000);
        assertThat(json.get("detections")).hasSize(result.size());
        for (int i = 0; i < result.size(); i++) {
            JsonNode d = json.get("detections").get(i);
            assertThat(d.get("label").asText()).isIn("cat", "dog");
            assertThat(d.get("class_id").asInt()).isEqualTo(d.get("label").asText().equals("cat") ? 0 : 1);
            assertThat(d.get("bbox").get("x1").asDouble()).isEqualTo(result.detections().get(i).box().x0());
        }
        assertThat(tmp.resolve("annotated.jpg")).isRegularFile();
        assertThat(detector.isClosed()).isFalse(); // the derived detector was closed, not the shared one
    }

    static List<String> strings(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
