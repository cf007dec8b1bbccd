package dev.groundingdino.sam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.ImageInput;
import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.Detection;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageException;
import dev.groundingdino.Box;
import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GroundedSam} on the tiny golden models: the golden {@code catdog} case's thresholds (0.9718 / 0.92) make the
 * random-weight detector find its 3 boxes, which are then segmented.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroundedSamTest {
    private Detector detector;
    private Segmenter segmenter;
    private JsonNode caseJson;
    private Path image;
    private GroundedSamResult result;

    @BeforeAll
    void run() {
        Path suite = Golden.gdinoSuite();
        caseJson = Golden.json(suite.resolve("cases/catdog_cat-dog/case.json"));
        detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .boxThreshold(caseJson.get("box_threshold").asDouble())
                .textThreshold(caseJson.get("text_threshold").asDouble()).build();
        segmenter = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"));
        image = Golden.dir().resolve(caseJson.get("image").asText());
        result = GroundedSam.run(detector, segmenter, ImageInput.of(image), caseJson.get("caption_raw").asText());
    }

    @AfterAll
    void close() {
        if (detector != null) {
            detector.close();
        }
        if (segmenter != null) {
            segmenter.close();
        }
    }

    @Test
    void everyGoldenDetectionGetsAMaskOfItsClippedBox() {
        JsonNode predict = caseJson.get("predict");
        assertThat(result.size()).isEqualTo(predict.get("num_boxes").asInt()).isEqualTo(3);
        assertThat(result.width()).isEqualTo(1200);
        assertThat(result.height()).isEqualTo(901);
        for (int i = 0; i < result.size(); i++) {
            GroundedMask g = result.masks().get(i);
            Detection d = g.detection();
            assertThat(d).isSameAs(result.detections().detections().get(i));
            assertThat(g.detection().phrase()).isEqualTo(predict.get("phrases").get(i).asText());
            assertThat(g.label()).doesNotContain("[SEP]").isNotBlank();
            JsonNode cxcywh = predict.get("boxes_cxcywh").get(i);
            assertThat(d.box().centerX()).isCloseTo(cxcywh.get(0).asDouble() * 1200, org.assertj.core.data.Offset.offset(0.05));
            assertThat(g.prompt()).isEqualTo(GroundedSam.promptBox(d.box(), 1200, 901));
            assertThat(g.prompt().isInside(1200, 901)).isTrue();
            assertThat(g.mask().bitmap().width()).isEqualTo(1200);
            assertThat(g.mask().bitmap().height()).isEqualTo(901);
        }
    }

    @Test
    void masksEqualOneEmbeddingAndOneBatchedSegmentCall() {
        List<Box> boxes = new ArrayList<>();
        for (GroundedMask g : result.masks()) {
            boxes.add(g.prompt());
        }
        try (ImageEmbedding e = segmenter.embed(ImageInput.of(image))) {
            List<Segmentation> expected = segmenter.segment(e, MaskPrompt.ofBoxes(boxes), false);
            for (int i = 0; i < boxes.size(); i++) {
                assertThat(result.masks().get(i).mask()).isEqualTo(expected.get(i).masks().get(0));
            }
        }
    }

    @Test
    void nothingDetectedGivesAnEmptyResult() {
        try (Detector strict = detector.withThresholds(0.9999, 0.92)) {
            GroundedSamResult none = GroundedSam.run(strict, segmenter, ImageInput.of(image), "cat . dog .");
            assertThat(none.isEmpty()).isTrue();
            assertThat(none.detections().isEmpty()).isTrue();
            assertThat(none.overlayItems()).isEmpty();
        }
    }

    @Test
    void promptBoxesAreClippedToTheImage() {
        assertThat(GroundedSam.promptBox(new Box(-3.5, 10, 130, 95.5), 120, 90))
                .isEqualTo(new Box(0, 10, 120, 90));
        // an inverted box cannot exist (Box rejects it), so clipping only has to clamp
        assertThat(GroundedSam.promptBox(new Box(200, 5, 300, 6), 120, 90)).isEqualTo(new Box(120, 5, 120, 6));
    }

    @Test
    void overlayShowsTheMasksInTheDetectionColours(@TempDir Path tmp) throws IOException {
        List<MaskOverlay.Item> items = result.overlayItems();
        assertThat(items).hasSize(3);
        assertThat(items.get(0).label()).isEqualTo(result.masks().get(0).detection().caption());
        // "cat dog [SEP]" gets colour 0, " dog" colour 1 (twice): the Annotator's colour per label.
        assertThat(items.get(0).rgb()).isEqualTo(MaskOverlay.paletteColor(0));
        assertThat(items.get(1).rgb()).isEqualTo(MaskOverlay.paletteColor(1));
        assertThat(items.get(2).rgb()).isEqualTo(MaskOverlay.paletteColor(1));
        Path out = tmp.resolve("grounded.png");
        MaskOverlay.write(image, items, out);
        BufferedImage overlay = ImageIO.read(out.toFile());
        BufferedImage plain = MaskOverlay.draw(image, List.of());
        assertThat(overlay.getWidth()).isEqualTo(1200);
        assertThat(overlay.getHeight()).isEqualTo(901);
        long changed = 0;
        long maskPixels = 0;
        for (GroundedMask g : result.masks()) {
            MaskBitmap m = g.mask().bitmap();
            for (int y = 0; y < m.height(); y += 3) {
                for (int x = 0; x < m.width(); x += 3) {
                    if (m.get(x, y)) {
                        maskPixels++;
                        if (overlay.getRGB(x, y) != plain.getRGB(x, y)) {
                            changed++;
                        }
                    }
                }
            }
        }
        assertThat(maskPixels).as("sampled mask pixels").isPositive();
        assertThat(changed).as("tinted mask pixels").isGreaterThan(maskPixels * 9 / 10);
    }

    @Test
    void badImagesAndClosedModelsAreReported(@TempDir Path tmp) {
        assertThatThrownBy(() -> GroundedSam.run(detector, segmenter, ImageInput.of(tmp.resolve("missing.jpg")), "cat"))
                .isInstanceOf(ImageException.class).hasMessageContaining("missing.jpg");
        Segmenter closed = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"));
        closed.close();
        assertThatThrownBy(() -> GroundedSam.run(detector, closed, ImageInput.of(image), caseJson.get("caption_raw").asText()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
