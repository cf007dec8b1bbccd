package dev.groundingdino.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.ModelWeights;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gdino detect} on the golden tiny checkpoint and the golden panorama (fast), and its input errors. */
class DetectCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String weights() {
        return Golden.gdinoSuite().resolve("gdino.pth").toString();
    }

    static String config() {
        return Golden.gdinoSuite().resolve("config.json").toString();
    }

    static Path pano() {
        return Golden.file("images/synth_pano_2000x100.png");
    }

    static JsonNode panoCase() {
        return Golden.json(Golden.gdinoSuite().resolve("cases/pano_cat-dog/case.json"));
    }

    @Test
    void oneImageMatchesTheGoldenPredictAndWritesJsonAnnotationAndRawOutputs(@TempDir Path tmp) throws Exception {
        JsonNode c = panoCase();
        CliRun run = CliRun.of("detect", "--weights", weights(), "--config", config(), "--image", pano().toString(),
                "--prompt", c.get("caption_raw").asText(), "--box-threshold", c.get("box_threshold").asText(),
                "--text-threshold", c.get("text_threshold").asText(), "--json", tmp.resolve("d.json").toString(),
                "--out", tmp.resolve("annotated").toString(), "--dump-raw", tmp.resolve("raw.safetensors").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode predict = c.get("predict");
        assertThat(run.out()).contains(": Found " + predict.get("num_boxes").asInt() + " objects");
        JsonNode json = JSON.readTree(tmp.resolve("d.json").toFile());
        assertThat(json.get("width").asInt()).isEqualTo(2000);
        JsonNode dets = json.get("detections");
        assertThat(dets).hasSize(predict.get("num_boxes").asInt());
        for (int i = 0; i < dets.size(); i++) {
            // the reference's phrase, special tokens included, is kept for parity; the label never shows them
            assertThat(dets.get(i).get("phrase").asText()).isEqualTo(predict.get("phrases").get(i).asText());
            assertThat(dets.get(i).get("label").asText()).doesNotContain("[SEP]").doesNotContain("[CLS]").isNotBlank();
            assertThat(dets.get(i).get("confidence").asDouble()).isCloseTo(predict.get("scores").get(i).asDouble(),
                    within(1e-5));
            for (int k = 0; k < 4; k++) {
                assertThat(dets.get(i).get("bbox_cxcywh").get(k).asDouble())
                        .isCloseTo(predict.get("boxes_cxcywh").get(i).get(k).asDouble(), within(1e-5));
            }
        }
        assertThat(tmp.resolve("annotated/synth_pano_2000x100.png")).isRegularFile();
        Map<String, GoldenTensors.Entry> raw = GoldenTensors.read(tmp.resolve("raw.safetensors"));
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(
                Golden.gdinoSuite().resolve("cases/pano_cat-dog/tensors.safetensors"));
        assertThat(raw.get("pred_logits").shape()).containsExactly(golden.get("pred_logits").shape());
        float[] got = raw.get("pred_boxes").asFloats();
        float[] want = golden.get("pred_boxes").asFloats();
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).isCloseTo(want[i], within(1e-5f));
        }
    }

    @Test
    void aFolderShowsProgressAndWritesCocoAndYolo(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        Files.copy(pano(), dir.resolve("a.png"));
        Files.copy(pano(), dir.resolve("b.png"));
        Files.write(dir.resolve("c.jpg"), new byte[] {1, 2, 3}); // unreadable: skipped, reported, exit 1
        CliRun run = CliRun.of("detect", "--weights", weights(), "--config", config(), "--dir", dir.toString(),
                "--classes", "cat,dog", "--box-threshold", "0.8", "--coco", tmp.resolve("coco.json").toString(),
                "--yolo", tmp.resolve("yolo").toString(), "--json", tmp.resolve("all.json").toString());
        assertThat(run.err()).contains("[1/3] a.png").contains("[3/3] c.jpg").contains("c.jpg: skipped")
                .contains("1 of 3 images could not be read").doesNotContain("\tat ");
        assertThat(run.exitCode()).isEqualTo(Gdino.EXIT_INPUT_ERROR);
        assertThat(run.out()).contains("a.png: Found").contains("b.png: Found");
        JsonNode coco = JSON.readTree(tmp.resolve("coco.json").toFile());
        assertThat(coco.get("images")).hasSize(2);
        assertThat(coco.get("categories").get(0).get("name").asText()).isEqualTo("cat");
        assertThat(Files.readAllLines(tmp.resolve("yolo/classes.txt"))).containsExactly("cat", "dog");
        assertThat(tmp.resolve("yolo/a.txt")).isRegularFile();
        assertThat(JSON.readTree(tmp.resolve("all.json").toFile()).isArray()).isTrue();
    }

    @Test
    void theDemoModelRunsWithoutWeightsAndSaysItIsRandom(@TempDir Path tmp) {
        CliRun run = CliRun.of("detect", "--weights", "demo", "--image", pano().toString(), "--prompt", "cat . dog",
                "--out", tmp.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("random-weight demo model: it finds nothing meaningful");
        assertThat(run.out()).contains("synth_pano_2000x100.png: Found");
    }

    @Test
    void missingImageIsOneLineWithoutStackTrace(@TempDir Path tmp) {
        CliRun run = CliRun.of("detect", "--weights", "demo", "--image", tmp.resolve("nope.jpg").toString(),
                "--prompt", "cat");
        assertThat(run.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR); // found before any model is loaded
        assertThat(run.err()).contains("gdino detect: --image").contains("nope.jpg: no such file")
                .doesNotContain("\tat ");
        assertThat(run.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void blankPromptAndBadThresholdsAreInputErrors() {
        CliRun blank = CliRun.of("detect", "--weights", "demo", "--image", pano().toString(), "--prompt", " ");
        assertThat(blank.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(blank.err()).contains("gdino detect: --prompt is empty");
        CliRun threshold = CliRun.of("detect", "--weights", "demo", "--image", pano().toString(), "--prompt", "cat",
                "--box-threshold", "1.5");
        assertThat(threshold.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(threshold.err()).contains("--box-threshold must be in [0, 1], got 1.5").doesNotContain("\tat ");
    }

    @Test
    void wrongCheckpointKindsAreNamed(@TempDir Path tmp) throws Exception {
        CliRun sam = CliRun.of("detect", "--weights", Golden.file("sam/tiny_seed0/sam.pth").toString(), "--image",
                pano().toString(), "--prompt", "cat");
        assertThat(sam.exitCode()).isEqualTo(Gdino.EXIT_INPUT_ERROR);
        assertThat(sam.err()).contains("Segment Anything").doesNotContain("\tat ");
        Path cut = tmp.resolve("cut.pth");
        byte[] all = Files.readAllBytes(Path.of(weights()));
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        CliRun truncated = CliRun.of("detect", "--weights", cut.toString(), "--image", pano().toString(),
                "--prompt", "cat");
        assertThat(truncated.exitCode()).isEqualTo(Gdino.EXIT_INPUT_ERROR);
        assertThat(truncated.err()).startsWith("gdino detect: ").contains("cut.pth").doesNotContain("\tat ");
    }

    @Test
    void anOfficialReleaseNotInTheCacheSaysWhereToPutIt(@TempDir Path tmp) {
        String previous = System.getProperty("groundingdino.cache");
        System.setProperty("groundingdino.cache", tmp.toString());
        try {
            CliRun run = CliRun.of("detect", "--weights", "groundingdino_swint_ogc", "--image", pano().toString(),
                    "--prompt", "cat");
            assertThat(run.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
            assertThat(run.err()).contains("put it at " + tmp.resolve("groundingdino_swint_ogc.pth"))
                    .contains("--download")
                    .contains("https://github.com/IDEA-Research/GroundingDINO/releases/download/");
        } finally {
            if (previous == null) {
                System.clearProperty("groundingdino.cache");
            } else {
                System.setProperty("groundingdino.cache", previous);
            }
        }
    }

    @Test
    void usageErrors(@TempDir Path tmp) {
        CliRun both = CliRun.of("detect", "--weights", "demo", "--image", "a.jpg", "--dir", tmp.toString(),
                "--prompt", "cat");
        assertThat(both.exitCode()).isEqualTo(2);
        CliRun rawForDir = CliRun.of("detect", "--weights", "demo", "--dir", tmp.toString(), "--prompt", "cat",
                "--dump-raw", tmp.resolve("r.safetensors").toString());
        assertThat(rawForDir.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(rawForDir.err()).contains("--dump-raw works with --image only");
        CliRun emptyDir = CliRun.of("detect", "--weights", "demo", "--dir", tmp.toString(), "--prompt", "cat");
        assertThat(emptyDir.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(emptyDir.err()).contains("no images");
    }

    @Test
    void withoutWeightsItRunsTheDemoModelAndSaysSo(@TempDir Path tmp) {
        String previous = System.getProperty(ModelWeights.CACHE_PROPERTY);
        System.setProperty(ModelWeights.CACHE_PROPERTY, tmp.resolve("empty-cache").toString());
        try {
            CliRun run = CliRun.of("detect", "--image", Golden.file("images/synth_pano_2000x100.png").toString(),
                    "--prompt", "cat . dog");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).contains("random-weight DEMO model").contains("groundingdino_swint_ogc.pth");
            assertThat(run.out()).contains("Found");
        } finally {
            if (previous == null) {
                System.clearProperty(ModelWeights.CACHE_PROPERTY);
            } else {
                System.setProperty(ModelWeights.CACHE_PROPERTY, previous);
            }
        }
    }
}
