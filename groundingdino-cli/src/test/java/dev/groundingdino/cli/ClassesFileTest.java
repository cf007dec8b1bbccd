package dev.groundingdino.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.ClassMatching;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Prompt;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.TestInputs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gdino detect --classes-file}: long class lists from a file, run in chunks, checked against the library. */
class ClassesFileTest {
    static Path strip(Path dir) throws Exception {
        Path file = dir.resolve("strip.png");
        Files.write(file, TestInputs.png(TestInputs.strip(21, 400, 10)));
        return file;
    }

    @Test
    void aLongClassFileRunsInChunksAndTheJsonReportsThem(@TempDir Path tmp) throws Exception {
        List<String> classes = TestInputs.classNames(300, 0);
        List<String> lines = new ArrayList<>(List.of("# 300 classes", ""));
        lines.addAll(classes);
        Path file = Files.write(tmp.resolve("classes.txt"), lines, StandardCharsets.UTF_8);
        Path image = strip(tmp);
        CliRun run = CliRun.of("detect", "--weights", DetectCommandTest.weights(), "--config",
                DetectCommandTest.config(), "--image", image.toString(), "--classes-file", file.toString(),
                "--box-threshold", "0.5", "--text-threshold", "0.5", "--json", "-");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("the 300 classes ran in 4 chunks of at most 256 tokens: [0, 84), [84, 168), "
                + "[168, 252), [252, 300)");
        JsonNode json = DetectCommandTest.JSON.readTree(run.out());
        assertThat(json.get("chunks").toString()).isEqualTo("[[0,84],[84,168],[168,252],[252,300]]");

        Path suite = Golden.gdinoSuite();
        try (Detector d = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .boxThreshold(0.5).textThreshold(0.5).classMatching(ClassMatching.TOKEN_SPANS).build()) {
            DetectionResult expected = d.detect(ImageInput.of(image), Prompt.classes(classes));
            JsonNode dets = json.get("detections");
            assertThat(dets).hasSize(expected.size()).isNotEmpty();
            for (int i = 0; i < dets.size(); i++) {
                assertThat(dets.get(i).get("class_id").asInt()).isEqualTo(expected.detections().get(i).classId());
                assertThat(dets.get(i).get("label").asText()).isEqualTo(classes.get(expected.detections().get(i)
                        .classId()));
                assertThat(dets.get(i).get("confidence").asDouble()).isEqualTo(expected.detections().get(i).score());
            }
        }
    }

    @Test
    void referenceMatchingCanBeAskedForAndKeepsOneCaption(@TempDir Path tmp) throws Exception {
        Path file = Files.write(tmp.resolve("classes.txt"), TestInputs.classNames(300, 0), StandardCharsets.UTF_8);
        CliRun run = CliRun.of("detect", "--weights", DetectCommandTest.weights(), "--config",
                DetectCommandTest.config(), "--image", strip(tmp).toString(), "--classes-file", file.toString(),
                "--class-matching", "REFERENCE", "--json", "-");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(DetectCommandTest.JSON.readTree(run.out()).get("chunks").toString()).isEqualTo("[[0,300]]");
        assertThat(run.err()).doesNotContain("chunks of at most");
    }

    @Test
    void badClassFilesAreUsageErrorsBeforeLoading(@TempDir Path tmp) throws Exception {
        CliRun missing = CliRun.of("detect", "--weights", "demo", "--image", DetectCommandTest.pano().toString(),
                "--classes-file", tmp.resolve("nope.txt").toString());
        assertThat(missing.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(missing.err()).contains("--classes-file: the class list file").contains("nope.txt does not exist");

        Path empty = Files.writeString(tmp.resolve("empty.txt"), "# nothing\n\n   \n");
        CliRun none = CliRun.of("detect", "--weights", "demo", "--image", DetectCommandTest.pano().toString(),
                "--classes-file", empty.toString());
        assertThat(none.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(none.err()).contains("holds no class");

        Path latin1 = Files.write(tmp.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        CliRun notUtf8 = CliRun.of("detect", "--weights", "demo", "--image", DetectCommandTest.pano().toString(),
                "--classes-file", latin1.toString());
        assertThat(notUtf8.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(notUtf8.err()).contains("not UTF-8");

        Path ok = Files.writeString(tmp.resolve("ok.txt"), "cat\ndog\n");
        CliRun both = CliRun.of("detect", "--weights", "demo", "--image", DetectCommandTest.pano().toString(),
                "--classes-file", ok.toString(), "--prompt", "cat");
        assertThat(both.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(both.err()).contains("mutually exclusive");
    }
}
