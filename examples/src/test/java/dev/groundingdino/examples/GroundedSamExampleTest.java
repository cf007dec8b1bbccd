package dev.groundingdino.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Detector;
import dev.groundingdino.sam.GroundedMask;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.Segmenter;
import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@link GroundedSam} example on the tiny golden models and the golden panorama (2000x100, quick to
 * detect) with its case's thresholds, which make the random-weight detector find the golden 5 boxes (at the default
 * 0.35 its boxes would be other noise), and checks it against the library's one-call
 * {@link dev.groundingdino.sam.GroundedSam#run}.
 */
class GroundedSamExampleTest {

    @Test
    void exampleSegmentsEveryDetectionAndWritesTheOverlay(@TempDir Path tmp) throws Exception {
        Path suite = Golden.gdinoSuite();
        JsonNode caseJson = Golden.json(suite.resolve("cases/pano_cat-dog/case.json"));
        Path image = Golden.dir().resolve(caseJson.get("image").asText());
        String prompt = caseJson.get("caption_raw").asText();
        JsonNode predict = caseJson.get("predict");
        Path output = tmp.resolve("grounded_sam.png");
        try (Detector detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                        .boxThreshold(caseJson.get("box_threshold").asDouble())
                        .textThreshold(caseJson.get("text_threshold").asDouble()).build();
                Segmenter sam = Segmenter.load(Golden.samSuite().resolve("sam.pth"))) {
            GroundedSamResult result = GroundedSam.run(detector, sam, image, prompt, output);
            assertThat(result.size()).isEqualTo(predict.get("num_boxes").asInt()).isEqualTo(5);
            for (int i = 0; i < result.size(); i++) {
                GroundedMask m = result.masks().get(i);
                assertThat(m.detection().phrase()).isEqualTo(predict.get("phrases").get(i).asText());
                assertThat(m.prompt().isInside(2000, 100)).isTrue();
                assertThat(m.mask().bitmap().width()).isEqualTo(2000);
                assertThat(m.mask().bitmap().height()).isEqualTo(100);
            }
            GroundedSamResult library = dev.groundingdino.sam.GroundedSam.run(detector, sam, ImageInput.of(image), prompt);
            assertThat(result.masks()).isEqualTo(library.masks());
        }
        BufferedImage overlay = ImageIO.read(output.toFile());
        assertThat(overlay.getWidth()).isEqualTo(2000);
        assertThat(overlay.getHeight()).isEqualTo(100);
    }
}
