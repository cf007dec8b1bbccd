package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole {@link Detector#detect(Path, String)} on every golden case: the reference's {@code predict()} results
 * (boxes and scores to 1e-5, phrases and query indices exactly), and the raw head outputs against the golden
 * {@code pred_logits} / {@code pred_boxes}.
 */
class DetectorGoldenTest {
    static final double TOLERANCE = 1e-5;
    private static Detector detector;

    @BeforeAll
    static void load() {
        Path suite = Golden.gdinoSuite();
        detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json")).build();
    }

    @AfterAll
    static void close() {
        if (detector != null) {
            detector.close();
        }
    }

    @Test
    void detectMatchesTheReferencePredictOnEveryGoldenCase() {
        assertMatchesPredict(detector, TOLERANCE);
    }

    /**
     * {@code detector} (the golden tiny model, on any device) reproduces the reference {@code predict()} of every
     * golden case: the same detections, query indices and phrases, boxes and scores within {@code tolerance}.
     */
    static void assertMatchesPredict(Detector detector, double tolerance) {
        double maxBox = 0;
        double maxScore = 0;
        for (Path dir : Golden.gdinoCases()) {
            JsonNode c = Golden.json(dir.resolve("case.json"));
            JsonNode expected = c.get("predict");
            Path image = Golden.dir().resolve(c.get("image").asText());
            try (Detector d = detector.withThresholds(c.get("box_threshold").asDouble(),
                    c.get("text_threshold").asDouble())) {
                DetectionResult result = d.detect(ImageInput.of(image), Prompt.text(c.get("caption_raw").asText()));
                String name = dir.getFileName().toString();
                assertThat(result.width()).isEqualTo(c.get("image_hw").get(1).asInt());
                assertThat(result.height()).isEqualTo(c.get("image_hw").get(0).asInt());
                assertThat(result.caption()).isEqualTo(c.get("caption").asText());
                assertThat(result.detections()).as(name).hasSize(expected.get("num_boxes").asInt());
                for (int i = 0; i < result.size(); i++) {
                    Detection det = result.detections().get(i);
                    String at = name + " detection " + i;
                    assertThat(det.queryIndex()).as(at).isEqualTo(expected.get("query_indices").get(i).asInt());
                    assertThat(det.phrase()).as(at).isEqualTo(expected.get("phrases").get(i).asText());
                    assertThat(det.score()).as(at).isCloseTo(expected.get("scores").get(i).asDouble(),
                            within(tolerance));
                    maxScore = Math.max(maxScore, Math.abs(det.score() - expected.get("scores").get(i).asDouble()));
                    JsonNode box = expected.get("boxes_cxcywh").get(i);
                    NormalizedBox nb = det.normalizedBox();
                    double[] got = {nb.cx(), nb.cy(), nb.w(), nb.h()};
                    for (int k = 0; k < 4; k++) {
                        assertThat(got[k]).as(at + " box " + k).isCloseTo(box.get(k).asDouble(), within(tolerance));
                        maxBox = Math.max(maxBox, Math.abs(got[k] - box.get(k).asDouble()));
                    }
                    List<Integer> positions = det.tokenPositions();
                    JsonNode want = expected.get("phrase_token_positions").get(i);
                    assertThat(positions).as(at).hasSize(want.size());
                    for (int k = 0; k < want.size(); k++) {
                        assertThat(positions.get(k)).isEqualTo(want.get(k).asInt());
                    }
                    // pixel box = the reference's boxes * [W, H, W, H] -> xyxy
                    assertThat(det.box().x0()).isCloseTo((got[0] - got[2] / 2) * result.width(), within(1e-3));
                    assertThat(det.box().y1()).isCloseTo((got[1] + got[3] / 2) * result.height(), within(1e-3));
                }
            }
        }
        System.out.printf("detect vs golden predict (%s %s): max |box diff| %.3g, max |score diff| %.3g%n",
                detector.device(), detector.precision(), maxBox, maxScore);
    }

    @Test
    void removeCombinedPhrasesMatchTheReference() {
        // the smallest image (pano, 67x1340 after resizing) keeps this test fast; the post-processing alone is
        // checked on every case by PredictGoldenTest
        for (Path dir : List.of(smallestCase())) {
            JsonNode c = Golden.json(dir.resolve("case.json"));
            Path image = Golden.dir().resolve(c.get("image").asText());
            try (Detector d = detector.withThresholds(c.get("box_threshold").asDouble(),
                    c.get("text_threshold").asDouble()).withRemoveCombined(true)) {
                DetectionResult result = d.detect(ImageInput.of(image), c.get("caption_raw").asText());
                JsonNode expected = c.get("predict").get("phrases_remove_combined");
                assertThat(result.detections()).hasSize(expected.size());
                for (int i = 0; i < expected.size(); i++) {
                    assertThat(result.detections().get(i).phrase()).isEqualTo(expected.get(i).asText());
                }
            }
        }
    }

    @Test
    void rawOutputsMatchTheGoldenHeadOutputs() {
        assertRawOutputs(detector, smallestCase());
    }

    /** {@code detector}'s raw head outputs on golden case {@code dir}: relative logits to 1e-4, boxes to 1e-5. */
    static void assertRawOutputs(Detector detector, Path dir) {
        JsonNode c = Golden.json(dir.resolve("case.json"));
        var tensors = GoldenTensors.read(dir.resolve("tensors.safetensors"));
        float[] wantLogits = tensors.get("pred_logits").asFloats();
        float[] wantBoxes = tensors.get("pred_boxes").asFloats();
        RawOutputs raw = detector.rawOutputs(ImageInput.of(Golden.dir().resolve(c.get("image").asText())),
                Prompt.text(c.get("caption_raw").asText()));
        assertThat(raw.queries()).isEqualTo(tensors.get("pred_logits").shape()[1]);
        float[] logits = raw.logits();
        double maxLogit = 0;
        for (int i = 0; i < logits.length; i++) {
            if (Float.isInfinite(wantLogits[i])) {
                assertThat(logits[i]).isEqualTo(wantLogits[i]);
            } else {
                maxLogit = Math.max(maxLogit, Math.abs(logits[i] - wantLogits[i]) / Math.max(1, Math.abs(wantLogits[i])));
            }
        }
        double maxBox = 0;
        float[] boxes = raw.boxes();
        for (int i = 0; i < boxes.length; i++) {
            maxBox = Math.max(maxBox, Math.abs(boxes[i] - wantBoxes[i]));
        }
        System.out.printf("raw outputs vs golden (%s, %s %s): max rel logit diff %.3g, max box diff %.3g%n",
                dir.getFileName(), detector.device(), detector.precision(), maxLogit, maxBox);
        assertThat(maxLogit).isLessThan(1e-4);
        assertThat(maxBox).isLessThan(1e-5);
    }

    /** The case with the fewest resized pixels. */
    static Path smallestCase() {
        Path best = null;
        long bestPixels = Long.MAX_VALUE;
        for (Path dir : Golden.gdinoCases()) {
            JsonNode hw = Golden.json(dir.resolve("case.json")).get("resized_hw");
            long pixels = hw.get(0).asLong() * hw.get(1).asLong();
            if (pixels < bestPixels) {
                bestPixels = pixels;
                best = dir;
            }
        }
        return best;
    }
}
