package dev.groundingdino.internal.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.ExportSummary;
import dev.groundingdino.InvalidValueException;
import dev.groundingdino.NormalizedBox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON, COCO and YOLO exports of detections. */
class ExportTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A detection whose pixel box is its normalised box on a {@code w x h} image. */
    static Detection det(String label, double score, double cx, double cy, double bw, double bh, int w, int h,
            int classId, int query) {
        return det(label, label, score, cx, cy, bw, bh, w, h, classId, query);
    }

    /** A detection whose reference phrase differs from its label (special tokens, an empty phrase). */
    static Detection det(String label, String phrase, double score, double cx, double cy, double bw, double bh,
            int w, int h, int classId, int query) {
        NormalizedBox nb = new NormalizedBox(cx, cy, bw, bh);
        return new Detection(label, phrase, score, nb.toPixels(w, h), nb, List.of(1), query, classId);
    }

    static DetectionResult free() {
        return new DetectionResult(200, 100, "cat . dog.", List.of(), List.of(
                det("cat", 0.9, 0.25, 0.5, 0.2, 0.4, 200, 100, -1, 3),
                det("dog", 0.8, 0.75, 0.5, 0.2, 0.4, 200, 100, -1, 7),
                det("object", "", 0.7, 0.5, 0.5, 0.1, 0.1, 200, 100, -1, 9)));
    }

    static DetectionResult classes(int w, int h) {
        return new DetectionResult(w, h, "cat. dog.", List.of("cat", "dog"), List.of(
                det("cat dog", 0.9, 0.5, 0.5, 0.5, 0.5, w, h, 0, 1),
                det("dog", 0.6, 0.95, 0.5, 0.2, 0.2, w, h, 1, 2), // reaches past the right edge: clipped
                det("object", "[SEP]", 0.5, 0.1, 0.1, 0.1, 0.1, w, h, -1, 5)));
    }

    @Test
    void jsonHasTheDocumentedShapeInQueryOrder() throws Exception {
        JsonNode root = JSON.readTree(DetectionExport.toJson("images/a.jpg", free()));
        assertThat(root.get("image").asText()).isEqualTo("images/a.jpg");
        assertThat(root.get("width").asInt()).isEqualTo(200);
        assertThat(root.get("height").asInt()).isEqualTo(100);
        JsonNode d = root.get("detections");
        assertThat(d).hasSize(3);
        assertThat(d.get(0).get("label").asText()).isEqualTo("cat");
        assertThat(d.get(0).get("confidence").asDouble()).isEqualTo(0.9);
        JsonNode bbox = d.get(0).get("bbox");
        assertThat(bbox.get("x1").asDouble()).isCloseTo(30, within(1e-4));
        assertThat(bbox.get("y1").asDouble()).isCloseTo(30, within(1e-4));
        assertThat(bbox.get("x2").asDouble()).isCloseTo(70, within(1e-4));
        assertThat(bbox.get("y2").asDouble()).isCloseTo(70, within(1e-4));
        assertThat(d.get(0).get("bbox_cxcywh").toString()).isEqualTo("[0.25,0.5,0.2,0.4]");
        assertThat(d.get(0).has("class_id")).isFalse();
        assertThat(d.get(1).get("label").asText()).isEqualTo("dog");
        JsonNode withClasses = JSON.readTree(DetectionExport.toJson("b.jpg", classes(100, 100)));
        assertThat(withClasses.get("detections").get(2).get("class_id").asInt()).isEqualTo(-1);
    }

    @Test
    void batchJsonIsAnArrayAndFilesAreWritten(@TempDir Path tmp) throws Exception {
        Map<String, DetectionResult> all = new LinkedHashMap<>();
        all.put("a.jpg", free());
        all.put("b.jpg", classes(100, 100));
        Path file = tmp.resolve("out/detections.json");
        DetectionExport.writeJson(file, all);
        JsonNode root = JSON.readTree(file.toFile());
        assertThat(root.isArray()).isTrue();
        assertThat(root.get(1).get("image").asText()).isEqualTo("b.jpg");
        Path one = tmp.resolve("one.json");
        DetectionExport.writeJson(one, "a.jpg", free());
        assertThat(JSON.readTree(one.toFile()).get("detections")).hasSize(3);
    }

    @Test
    void cocoUsesTheClassListClipsBoxesAndSkipsUnmatched(@TempDir Path tmp) throws Exception {
        Map<String, DetectionResult> all = new LinkedHashMap<>();
        all.put("a.jpg", classes(100, 100));
        all.put("b.jpg", classes(50, 40));
        Path file = tmp.resolve("coco.json");
        ExportSummary summary = DetectionExport.writeCoco(file, all);
        assertThat(summary).isEqualTo(new ExportSummary(2, 4, 2, List.of("cat", "dog")));
        JsonNode root = JSON.readTree(file.toFile());
        assertThat(root.get("categories").get(1).get("id").asInt()).isEqualTo(2);
        assertThat(root.get("categories").get(1).get("name").asText()).isEqualTo("dog");
        assertThat(root.get("images").get(1).get("file_name").asText()).isEqualTo("b.jpg");
        assertThat(root.get("images").get(1).get("width").asInt()).isEqualTo(50);
        JsonNode anns = root.get("annotations");
        assertThat(anns).hasSize(4);
        JsonNode first = anns.get(0);
        assertThat(first.get("id").asInt()).isEqualTo(1);
        assertThat(first.get("image_id").asInt()).isEqualTo(1);
        assertThat(first.get("category_id").asInt()).isEqualTo(1);
        assertThat(first.get("bbox").get(0).asDouble()).isCloseTo(25, within(1e-4));
        assertThat(first.get("bbox").get(2).asDouble()).isCloseTo(50, within(1e-4));
        assertThat(first.get("area").asDouble()).isCloseTo(2500, within(1e-2));
        assertThat(first.get("iscrowd").asInt()).isZero();
        JsonNode clipped = anns.get(1);
        assertThat(clipped.get("category_id").asInt()).isEqualTo(2);
        assertThat(clipped.get("bbox").get(0).asDouble() + clipped.get("bbox").get(2).asDouble())
                .isCloseTo(100, within(1e-4));
    }

    @Test
    void cocoOfFreePromptsUsesTheDistinctLabelsNeverSpecialTokens(@TempDir Path tmp) {
        ExportSummary s = DetectionExport.writeCoco(tmp.resolve("c.json"), Map.of("a.jpg", free()));
        assertThat(s.categories()).containsExactly("cat", "dog", "object"); // not "" (the reference's phrase)
        assertThat(s.annotations()).isEqualTo(3);
        assertThat(s.skipped()).isZero();
        ExportSummary explicit = DetectionExport.writeCoco(tmp.resolve("d.json"), Map.of("a.jpg", free()),
                List.of("dog"));
        assertThat(explicit.annotations()).isEqualTo(1);
    }

    @Test
    void yoloWritesClassesAndOneNormalisedLabelFilePerImage(@TempDir Path tmp) throws Exception {
        Map<String, DetectionResult> all = new LinkedHashMap<>();
        all.put("sub/a.jpg", classes(100, 100));
        all.put("empty.png", new DetectionResult(10, 10, "cat. dog.", List.of("cat", "dog"), List.of()));
        ExportSummary s = DetectionExport.writeYolo(tmp, all);
        assertThat(s.annotations()).isEqualTo(2);
        assertThat(Files.readAllLines(tmp.resolve("classes.txt"))).containsExactly("cat", "dog");
        List<String> lines = Files.readAllLines(tmp.resolve("a.txt"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("0 0.500000 0.500000 0.500000 0.500000");
        String[] clipped = lines.get(1).split(" ");
        assertThat(clipped[0]).isEqualTo("1");
        double cx = Double.parseDouble(clipped[1]);
        double w = Double.parseDouble(clipped[3]);
        assertThat(cx + w / 2).isCloseTo(1.0, within(1e-6));
        assertThat(Files.readString(tmp.resolve("empty.txt"))).isEmpty();
    }

    @Test
    void yoloRejectsImagesWithTheSameStem(@TempDir Path tmp) {
        Map<String, DetectionResult> all = new LinkedHashMap<>();
        all.put("a.jpg", free());
        all.put("a.png", free());
        assertThatThrownBy(() -> DetectionExport.writeYolo(tmp, all)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("a.txt");
    }

    @Test
    void differentClassListsCannotShareADataset(@TempDir Path tmp) {
        Map<String, DetectionResult> all = new LinkedHashMap<>();
        all.put("a.jpg", classes(100, 100));
        all.put("b.jpg", new DetectionResult(10, 10, "bird.", List.of("bird"), List.of()));
        assertThatThrownBy(() -> DetectionExport.writeCoco(tmp.resolve("x.json"), all))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("different class lists");
    }
}
