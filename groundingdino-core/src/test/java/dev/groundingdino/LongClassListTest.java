package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.export.DetectionJson;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.TestInputs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Class lists over the model's 256 tokens ({@link ClassMatching#TOKEN_SPANS}: chunks on one encoded image) and
 * {@link ImageFeatures} reuse, on the golden tiny checkpoint with wide strips (fast forward passes). The reference for
 * a chunked list is running each chunk alone through the public API: the union must be exactly that.
 */
class LongClassListTest {
    private static Detector base;
    private static Detector spans;
    private static BufferedImage image;

    @BeforeAll
    static void load() {
        var suite = Golden.gdinoSuite();
        base = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .boxThreshold(0.5).textThreshold(0.5).build();
        spans = base.withClassMatching(ClassMatching.TOKEN_SPANS);
        image = TestInputs.strip(11, 400, 10);
    }

    @AfterAll
    static void close() {
        if (spans != null) {
            spans.close();
        }
        if (base != null) {
            base.close();
        }
    }

    /** The union of running each chunk alone, class ids offset by the chunk's first class. */
    static List<Detection> separately(Detector d, ImageInput in, List<String> classes,
            List<DetectionResult.Chunk> chunks) {
        List<Detection> out = new ArrayList<>();
        for (DetectionResult.Chunk c : chunks) {
            DetectionResult alone = d.detect(in, Prompt.classes(classes.subList(c.first(), c.end())));
            assertThat(alone.chunks()).hasSize(1);
            for (Detection x : alone.detections()) {
                out.add(new Detection(x.label(), x.phrase(), x.score(), x.box(), x.normalizedBox(), x.tokenPositions(),
                        x.queryIndex(), x.classId() + c.first()));
            }
        }
        return out;
    }

    @Test
    void aChunkedListIsExactlyTheUnionOfItsChunksWithGlobalClassIds() {
        List<String> classes = TestInputs.classNames(300, 0); // 2 + 300 * 3 = 902 tokens
        ImageInput in = ImageInput.of(image);
        DetectionResult r = spans.detect(in, Prompt.classes(classes));
        assertThat(r.classes()).isEqualTo(classes);
        assertThat(r.chunks()).containsExactly(new DetectionResult.Chunk(0, 84), new DetectionResult.Chunk(84, 168),
                new DetectionResult.Chunk(168, 252), new DetectionResult.Chunk(252, 300));
        assertThat(r.caption()).isEqualTo(String.join(". ", classes) + ".");
        List<Detection> expected = separately(spans, in, classes, r.chunks());
        assertThat(r.detections()).isEqualTo(expected); // bit for bit: same captions, same image features
        assertThat(r.detections().stream().map(d -> d.classId() / 84).distinct().count()).isGreaterThan(1);
        for (Detection d : r.detections()) {
            assertThat(d.label()).isEqualTo(classes.get(d.classId()));
        }
    }

    @Test
    void exactly256TokensRunsAsOneCaptionAndAStraddlingClassStartsTheNextChunk() {
        List<String> classes = new ArrayList<>(List.of("cat")); // 2 tokens, then 84 x 3: 2 + 254 = 256
        classes.addAll(TestInputs.classNames(84, 5));
        ImageInput in = ImageInput.of(image);
        DetectionResult exact = spans.detect(in, Prompt.classes(classes));
        assertThat(exact.chunks()).containsExactly(new DetectionResult.Chunk(0, 85));
        // in the joined caption the next class would take tokens 255..257: it moves whole to chunk 2
        classes.add("red wooden bus");
        classes.addAll(TestInputs.classNames(20, 40));
        DetectionResult r = spans.detect(in, Prompt.classes(classes));
        assertThat(r.chunks()).containsExactly(new DetectionResult.Chunk(0, 85), new DetectionResult.Chunk(85, 106));
        assertThat(r.detections()).isEqualTo(separately(spans, in, classes, r.chunks()));
        assertThat(r.detections().subList(0, exact.size())).isEqualTo(exact.detections());
    }

    @Test
    void nmsRunsOnTheUnionOfTheChunks() {
        List<String> classes = TestInputs.classNames(200, 3);
        ImageInput in = ImageInput.of(image);
        List<Detection> union = spans.detect(in, Prompt.classes(classes)).detections();
        try (Detector nms = spans.withNms(NmsMode.CLASS_AGNOSTIC, 0.3)) {
            DetectionResult kept = nms.detect(in, Prompt.classes(classes));
            assertThat(kept.size()).isPositive().isLessThan(union.size());
            assertThat(union).containsAll(kept.detections());
            // greedy NMS over all chunks: no two kept boxes overlap, every dropped box overlaps a better kept one
            for (Detection a : kept.detections()) {
                for (Detection b : kept.detections()) {
                    if (a != b) {
                        assertThat(a.box().iou(b.box())).isLessThanOrEqualTo(0.3 + 1e-9);
                    }
                }
            }
            for (Detection dropped : union) {
                if (!kept.detections().contains(dropped)) {
                    assertThat(kept.detections()).anySatisfy(k -> {
                        assertThat(k.score()).isGreaterThanOrEqualTo(dropped.score());
                        assertThat(k.box().iou(dropped.box())).isGreaterThan(0.3);
                    });
                }
            }
        }
    }

    @Test
    void referenceMatchingKeepsTheReferenceCutAt256Tokens() {
        List<String> classes = TestInputs.classNames(300, 0);
        ImageInput in = ImageInput.of(image);
        DetectionResult r = base.detect(in, Prompt.classes(classes));
        assertThat(r.chunks()).containsExactly(new DetectionResult.Chunk(0, 300));
        // what the model sees is the caption cut after token 256: the same as the raw outputs of that caption
        RawOutputs raw = base.rawOutputs(in, Prompt.classes(classes));
        assertThat(raw.caption()).isEqualTo(r.caption());
        for (Detection d : r.detections()) {
            assertThat(d.tokenPositions()).allSatisfy(t -> assertThat(t).isLessThan(256));
        }
    }

    @Test
    void aClassOver256TokensIsAnErrorNamingIt() {
        String huge = String.join(" ", java.util.Collections.nCopies(300, "cat"));
        assertThatThrownBy(() -> spans.detect(ImageInput.of(image), Prompt.classes(List.of("dog", huge))))
                .isInstanceOf(PromptException.class).hasMessageContaining("class 1 (\"cat cat")
                .hasMessageContaining("300 tokens");
    }

    @Test
    void encodedImagesGiveExactlyTheResultsOfDetect() {
        ImageInput in = ImageInput.of(TestInputs.strip(12, 400, 10));
        List<String> classes = TestInputs.classNames(200, 1);
        try (ImageFeatures f = spans.encodeImage(in); Detector other = base.withThresholds(0.4, 0.3)) {
            assertThat(f.width()).isEqualTo(400);
            assertThat(f.height()).isEqualTo(10);
            assertThat(f.sizeInBytes()).isPositive();
            assertThat(spans.detect(f, "cat . dog")).isEqualTo(spans.detect(in, "cat . dog"));
            assertThat(spans.detect(f, Prompt.classes(classes))).isEqualTo(spans.detect(in, Prompt.classes(classes)));
            assertThat(other.detect(f, Prompt.classes("cat", "dog")))
                    .isEqualTo(other.detect(in, Prompt.classes("cat", "dog"))); // derived detectors share the weights
        }
    }

    @Test
    void imageFeaturesBelongToTheirWeightsAndFailClearlyOnceClosed() {
        ImageInput in = ImageInput.of(image);
        ImageFeatures f = base.encodeImage(in);
        var suite = Golden.gdinoSuite();
        try (Detector reloaded = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .build()) {
            assertThatThrownBy(() -> reloaded.detect(f, "cat")).isInstanceOf(InvalidValueException.class)
                    .hasMessageContaining("encode the image with this detector");
        }
        f.close();
        f.close(); // idempotent
        assertThat(f.isClosed()).isTrue();
        assertThat(f.toString()).contains("closed");
        assertThatThrownBy(() -> base.detect(f, "cat")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Detector.encodeImage");
        assertThatThrownBy(() -> base.encodeImage(ImageInput.of(new byte[] {1, 2, 3})))
                .isInstanceOf(ImageException.class);
    }

    @Test
    void sharedFeaturesAndDetectorGiveIdenticalResultsFromManyThreads() throws Exception {
        ImageInput in = ImageInput.of(TestInputs.strip(13, 400, 10));
        List<Prompt> prompts = List.of(Prompt.text("cat . dog"), Prompt.classes(TestInputs.classNames(120, 2)),
                Prompt.classes("car", "tree"), Prompt.text("a red bus"));
        List<DetectionResult> expected = new ArrayList<>();
        for (Prompt p : prompts) {
            expected.add(spans.detect(in, p));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (ImageFeatures f = spans.encodeImage(in)) {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 24; t++) {
                int k = t % prompts.size();
                runs.add(pool.submit(() -> spans.detect(f, prompts.get(k)).equals(expected.get(k))));
            }
            for (Future<Boolean> run : runs) {
                assertThat(run.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theTextCacheIsBoundedAndConfigurable() {
        assertThat(base.textCacheSize()).isEqualTo(Detector.DEFAULT_TEXT_CACHE_SIZE).isEqualTo(32);
        var suite = Golden.gdinoSuite();
        try (Detector none = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .textCacheSize(0).boxThreshold(0.5).textThreshold(0.5).classMatching(ClassMatching.TOKEN_SPANS)
                .build()) {
            assertThat(none.textCacheSize()).isZero();
            ImageInput in = ImageInput.of(image);
            List<String> classes = TestInputs.classNames(300, 0);
            assertThat(none.detect(in, Prompt.classes(classes))).isEqualTo(spans.detect(in, Prompt.classes(classes)));
        }
        assertThatThrownBy(() -> Detector.builder(suite.resolve("gdino.pth")).textCacheSize(-1).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("textCacheSize");
    }

    @Test
    void theJsonReportsTheChunks() throws Exception {
        List<String> classes = TestInputs.classNames(300, 0);
        DetectionResult r = spans.detect(ImageInput.of(image), Prompt.classes(classes));
        JsonNode json = new ObjectMapper().readTree(DetectionJson.toJson("strip.png", r));
        assertThat(json.get("chunks").toString()).isEqualTo("[[0,84],[84,168],[168,252],[252,300]]");
        JsonNode free = new ObjectMapper().readTree(DetectionJson.toJson("strip.png",
                spans.detect(ImageInput.of(image), "cat")));
        assertThat(free.has("chunks")).isFalse();
        assertThat(r.detections()).isSortedAccordingTo(Comparator.comparingInt(
                (Detection d) -> d.classId() / 84)); // chunk after chunk
    }

    @Test
    void classListFilesSkipBlankAndCommentLines(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.write(tmp.resolve("lvis.txt"),
                "\uFEFF# LVIS-style\n  aerosol can \n\n alarm clock\r\n#skip\nbaby buggy".getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
        assertThat(Prompt.classesFile(file)).isEqualTo(Prompt.classes("aerosol can", "alarm clock", "baby buggy"));
        java.nio.file.Path bom = java.nio.file.Files.write(tmp.resolve("bom.txt"),
                "\uFEFFcat\ndog\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(Prompt.classesFile(bom).classes()).containsExactly("cat", "dog");
        assertThatThrownBy(() -> Prompt.classesFile(tmp.resolve("missing.txt"))).isInstanceOf(PromptException.class)
                .hasMessageContaining("does not exist");
        java.nio.file.Path empty = java.nio.file.Files.writeString(tmp.resolve("empty.txt"), "# none\n \n");
        assertThatThrownBy(() -> Prompt.classesFile(empty)).isInstanceOf(PromptException.class)
                .hasMessageContaining("holds no class");
        java.nio.file.Path latin1 = java.nio.file.Files.write(tmp.resolve("latin1.txt"),
                new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertThatThrownBy(() -> Prompt.classesFile(latin1)).isInstanceOf(PromptException.class)
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void aChunkedListInABatchMatchesSingleCalls() {
        List<String> classes = TestInputs.classNames(200, 7);
        List<ImageInput> images = List.of(ImageInput.of(TestInputs.strip(14, 400, 10)),
                ImageInput.of(TestInputs.strip(15, 400, 10)));
        try (Detector batched = spans.withBatchSize(2)) {
            List<DetectionResult> together = batched.detect(images, Prompt.classes(classes));
            for (int i = 0; i < images.size(); i++) {
                DetectionResult alone = spans.detect(images.get(i), Prompt.classes(classes));
                assertThat(together.get(i).chunks()).isEqualTo(alone.chunks()).hasSize(3);
                assertThat(together.get(i).detections()).extracting(Detection::classId)
                        .containsExactlyElementsOf(alone.detections().stream().map(Detection::classId).toList());
                DetectorTest.assertSameDetections(together.get(i), alone);
            }
        }
    }

    @Test
    void resultsValidateTheirChunks() {
        assertThatThrownBy(() -> new DetectionResult(10, 10, "a. b.", List.of("a", "b"),
                List.of(new DetectionResult.Chunk(0, 1)), List.of())).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("do not cover the 2 classes");
        assertThatThrownBy(() -> new DetectionResult.Chunk(3, 3)).isInstanceOf(InvalidValueException.class);
        assertThat(new DetectionResult(10, 10, "a. b.", List.of("a", "b"), List.of()).chunks())
                .containsExactly(new DetectionResult.Chunk(0, 2));
    }
}
