package dev.groundingdino;

import static dev.groundingdino.testing.TestInputs.png;
import static dev.groundingdino.testing.TestInputs.strip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.groundingdino.internal.runtime.ProcessMemory;
import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Detector API on the golden tiny checkpoint: inputs, class lists, batches, lifecycle and every bad input. The
 * images are very wide strips (400x10 -> 33x1320 after the reference resize) so that each forward pass takes well
 * under a second.
 */
class DetectorTest {
    private static Detector detector;
    private static Path suite;

    @BeforeAll
    static void load() {
        suite = Golden.gdinoSuite();
        detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json")).build();
    }

    @AfterAll
    static void close() {
        if (detector != null) {
            detector.close();
        }
    }

    /** Permissive thresholds so that the tiny random model yields detections. */
    static Detector loose() {
        return detector.withThresholds(0.5, 0.5);
    }

    @Test
    void defaultsAreTheReferenceThresholds() {
        assertThat(detector.boxThreshold()).isEqualTo(0.35);
        assertThat(detector.textThreshold()).isEqualTo(0.25);
        assertThat(detector.device()).isEqualTo(Device.CPU);
        assertThat(detector.precision()).isEqualTo(Precision.FP32);
        assertThat(detector.nmsMode()).isEqualTo(NmsMode.NONE);
        assertThat(detector.classMatching()).isEqualTo(ClassMatching.REFERENCE);
        assertThat(detector.numQueries()).isEqualTo(30);
        assertThat(detector.isDemo()).isFalse();
    }

    @Test
    void pathBytesAndBufferedImageGiveTheSameDetections(@TempDir Path tmp) throws IOException {
        byte[] png = png(strip(1, 400, 10));
        Path file = Files.write(tmp.resolve("strip.png"), png);
        try (Detector d = loose()) {
            DetectionResult fromPath = d.detect(ImageInput.of(file), "cat . dog");
            DetectionResult fromBytes = d.detect(ImageInput.of(png), "cat . dog");
            DetectionResult fromImage = d.detect(ImageInput.of(ImageIO.read(file.toFile())), "cat . dog");
            assertThat(fromPath.size()).isPositive();
            assertThat(fromBytes).isEqualTo(fromPath);
            assertThat(fromImage).isEqualTo(fromPath);
            assertThat(fromPath.width()).isEqualTo(400);
            assertThat(fromPath.height()).isEqualTo(10);
            for (Detection det : fromPath.detections()) {
                assertThat(det.score()).isGreaterThan(0.5);
                assertThat(det.box().x0()).isCloseTo((det.normalizedBox().cx() - det.normalizedBox().w() / 2) * 400,
                        within(1e-3));
            }
        }
    }

    @Test
    void batchOfSameSizeImagesEqualsSingleCallsAndReportsProgress() {
        List<ImageInput> images = List.of(ImageInput.of(strip(2, 400, 10)), ImageInput.of(strip(3, 400, 10)));
        List<String> events = new ArrayList<>();
        try (Detector d = loose()) {
            List<DetectionResult> batch = d.withBatchSize(2).detect(images, Prompt.text("cat . dog"),
                    (stage, done, total) -> events.add(stage + " " + done + "/" + total));
            assertThat(events).containsExactly("PREPROCESS 1/2", "PREPROCESS 2/2", "FORWARD 1/1", "POSTPROCESS 1/2",
                    "POSTPROCESS 2/2");
            for (int i = 0; i < 2; i++) {
                DetectionResult single = d.detect(images.get(i), "cat . dog");
                assertSameDetections(batch.get(i), single);
            }
        }
    }

    @Test
    void batchOfDifferentSizesPadsAndKeepsEachImagesCoordinates() {
        List<ImageInput> images = List.of(ImageInput.of(strip(4, 400, 10)), ImageInput.of(strip(5, 600, 10)));
        try (Detector d = loose()) {
            List<DetectionResult> batch = d.detect(images, Prompt.text("cat . dog"));
            assertThat(batch.get(0).width()).isEqualTo(400);
            assertThat(batch.get(1).width()).isEqualTo(600);
            // the largest image is not padded: same as its single run
            assertSameDetections(batch.get(0), d.detect(images.get(0), "cat . dog"));
        }
    }

    static void assertSameDetections(DetectionResult a, DetectionResult b) {
        assertThat(a.detections()).extracting(Detection::queryIndex)
                .containsExactlyElementsOf(b.detections().stream().map(Detection::queryIndex).toList());
        for (int i = 0; i < a.size(); i++) {
            Detection x = a.detections().get(i);
            Detection y = b.detections().get(i);
            assertThat(x.label()).isEqualTo(y.label());
            assertThat(x.score()).isCloseTo(y.score(), within(1e-5));
            assertThat(x.normalizedBox().cx()).isCloseTo(y.normalizedBox().cx(), within(1e-5));
            assertThat(x.normalizedBox().h()).isCloseTo(y.normalizedBox().h(), within(1e-5));
        }
    }

    @Test
    void classListsFollowPhrases2ClassesOrScoreTokenSpans() {
        BufferedImage img = strip(6, 400, 10);
        try (Detector d = loose()) {
            DetectionResult ref = d.detect(ImageInput.of(img), Prompt.classes(List.of("cat", "dog")));
            assertThat(ref.caption()).isEqualTo("cat. dog.");
            assertThat(ref.classes()).containsExactly("cat", "dog");
            assertThat(ref.size()).isPositive();
            for (Detection det : ref.detections()) {
                int expected = det.phrase().contains("cat") ? 0 : det.phrase().contains("dog") ? 1 : -1;
                assertThat(det.classId()).as(det.label()).isEqualTo(expected);
            }
            // the same detections as the free prompt "cat. dog" (same tokens)
            assertThat(ref.detections()).extracting(Detection::phrase).containsExactlyElementsOf(
                    d.detect(ImageInput.of(img), "cat. dog").detections().stream().map(Detection::phrase).toList());
            try (Detector spans = d.withClassMatching(ClassMatching.TOKEN_SPANS)) {
                DetectionResult r = spans.detect(ImageInput.of(img), Prompt.classes(List.of("cat", "dog")));
                for (Detection det : r.detections()) {
                    assertThat(det.label()).isIn("cat", "dog");
                    assertThat(det.classId()).isEqualTo(det.label().equals("cat") ? 0 : 1);
                    assertThat(det.tokenPositions()).containsExactly(det.classId() == 0 ? 1 : 3);
                }
                assertThatThrownBy(() -> spans.detect(ImageInput.of(img), Prompt.classes(List.of("a.b", "dog"))))
                        .isInstanceOf(PromptException.class).hasMessageContaining("a.b");
            }
        }
    }

    @Test
    void nmsDropsOverlapsAndKeepsQueryOrder() {
        BufferedImage img = strip(7, 400, 10);
        try (Detector plain = detector.withThresholds(0.3, 0.3);
                Detector nms = plain.withNms(NmsMode.CLASS_AGNOSTIC, 0.3)) {
            DetectionResult all = plain.detect(ImageInput.of(img), "cat . dog");
            DetectionResult kept = nms.detect(ImageInput.of(img), "cat . dog");
            assertThat(kept.size()).isLessThanOrEqualTo(all.size()).isPositive();
            List<Integer> order = kept.detections().stream().map(Detection::queryIndex).toList();
            assertThat(order).isSorted();
            for (int i = 0; i < kept.size(); i++) {
                for (int j = i + 1; j < kept.size(); j++) {
                    assertThat(kept.detections().get(i).box().iou(kept.detections().get(j).box()))
                            .isLessThanOrEqualTo(0.3 + 1e-9);
                }
            }
        }
    }

    @Test
    void derivedDetectorsShareTheWeightsUntilTheLastIsClosed() {
        Detector base = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json")).build();
        Detector derived = base.withThresholds(0.5, 0.5);
        assertThat(base.sharedOwners()).isEqualTo(2);
        base.close();
        base.close(); // idempotent
        assertThat(derived.sharedOwners()).isEqualTo(1);
        assertThat(derived.detect(ImageInput.of(strip(8, 400, 10)), "cat").width()).isEqualTo(400);
        derived.close();
        assertThat(derived.sharedOwners()).isZero();
        assertThatThrownBy(() -> derived.detect(ImageInput.of(strip(8, 400, 10)), "cat"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void anUnclosedIntermediateOfAChainedDerivationGivesItsShareBackAfterGc() throws InterruptedException {
        Detector base = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json")).build();
        Detector chained = base.withThresholds(0.5, 0.5).withNms(NmsMode.PER_LABEL, 0.5); // middle one never closed
        assertThat(base.sharedOwners()).isEqualTo(3);
        for (int i = 0; i < 100 && base.sharedOwners() > 2; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(base.sharedOwners()).isEqualTo(2);
        chained.close();
        base.close();
        assertThat(base.sharedOwners()).isZero();
    }

    @Test
    void concurrentCallsGiveIdenticalResults() throws Exception {
        BufferedImage img = strip(9, 400, 10);
        try (Detector d = loose()) {
            DetectionResult expected = d.detect(ImageInput.of(img), "cat . dog");
            List<Thread> threads = new ArrayList<>();
            List<DetectionResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 2; t++) {
                Thread th = new Thread(() -> results.add(d.detect(ImageInput.of(img), "cat . dog")));
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            assertThat(results).hasSize(2).allMatch(expected::equals);
        }
    }

    // ------------------------------------------------------------------------------------------ bad inputs

    @Test
    void missingImageFile(@TempDir Path tmp) {
        assertThatThrownBy(() -> detector.detect(ImageInput.of(tmp.resolve("nope.jpg")), "cat"))
                .isInstanceOf(ImageException.class).hasMessageContaining("not found").hasMessageContaining("nope.jpg");
    }

    @Test
    void corruptImageFile(@TempDir Path tmp) throws IOException {
        byte[] junk = new byte[2048];
        new Random(1).nextBytes(junk);
        Path file = Files.write(tmp.resolve("junk.png"), junk);
        assertThatThrownBy(() -> detector.detect(ImageInput.of(file), "cat")).isInstanceOf(ImageException.class)
                .hasMessageContaining("junk.png");
    }

    @Test
    void zeroSizeImage(@TempDir Path tmp) throws IOException {
        Path empty = Files.write(tmp.resolve("empty.jpg"), new byte[0]);
        assertThatThrownBy(() -> detector.detect(ImageInput.of(empty), "cat")).isInstanceOf(ImageException.class)
                .hasMessageContaining("empty (0 bytes)");
        assertThatThrownBy(() -> detector.detect(ImageInput.of(new byte[0]), "cat")).isInstanceOf(ImageException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void emptyOrBlankPrompt() {
        BufferedImage img = strip(10, 400, 10);
        assertThatThrownBy(() -> detector.detect(ImageInput.of(img), "")).isInstanceOf(PromptException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> detector.detect(ImageInput.of(img), "  \t ")).isInstanceOf(PromptException.class)
                .hasMessageContaining("e.g. \"cat . dog\"");
        assertThatThrownBy(() -> detector.detect(ImageInput.of(img), (String) null)).isInstanceOf(PromptException.class);
        assertThatThrownBy(() -> detector.detect(ImageInput.of(img), " . . ")).isInstanceOf(PromptException.class)
                .hasMessageContaining("names no object");
        assertThatThrownBy(() -> detector.detect(ImageInput.of(img), Prompt.classes(List.of()))).isInstanceOf(PromptException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> detector.detect(ImageInput.of(img), Prompt.classes(Arrays.asList("cat", " ")))).isInstanceOf(PromptException.class)
                .hasMessageContaining("blank");
    }

    @Test
    void thresholdsOutsideZeroOne() {
        assertThatThrownBy(() -> detector.withThresholds(1.5, 0.25)).isInstanceOf(OptionException.class)
                .hasMessageContaining("box threshold must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> detector.withThresholds(0.35, -0.1)).isInstanceOf(OptionException.class)
                .hasMessageContaining("text threshold");
        assertThatThrownBy(() -> detector.withThresholds(Double.NaN, 0.25)).isInstanceOf(OptionException.class);
        assertThatThrownBy(() -> detector.withNms(NmsMode.PER_LABEL, 2)).isInstanceOf(OptionException.class);
        assertThatThrownBy(() -> Detector.demoBuilder().boxThreshold(-1).build())
                .isInstanceOf(OptionException.class);
    }

    @Test
    void samCheckpointIsNamedAsSuch() {
        Path sam = Golden.file("sam/tiny_seed0/sam.pth");
        assertThatThrownBy(() -> Detector.load(sam)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Segment Anything").hasMessageContaining("Segmenter");
    }

    @Test
    void truncatedCheckpoint(@TempDir Path tmp) throws IOException {
        byte[] all = Files.readAllBytes(suite.resolve("gdino.pth"));
        Path cut = Files.write(tmp.resolve("cut.pth"), Arrays.copyOf(all, all.length * 3 / 5));
        assertThatThrownBy(() -> Detector.load(cut)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cut.pth");
    }

    @Test
    void missingCheckpoint(@TempDir Path tmp) {
        assertThatThrownBy(() -> Detector.load(tmp.resolve("missing.pth"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("missing.pth");
    }

    @Test
    void useAfterClose() {
        Detector d = detector.withThresholds(0.3, 0.3);
        d.close();
        d.close();
        assertThat(d.isClosed()).isTrue();
        assertThatThrownBy(() -> d.detect(ImageInput.of(strip(11, 400, 10)), "cat")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> d.withThresholds(0.4, 0.4)).isInstanceOf(IllegalStateException.class);
        assertThat(detector.isClosed()).isFalse();
    }

    @Test
    void contradictoryOptionsAreRejectedBeforeLoading() {
        assertThatThrownBy(() -> Detector.demoBuilder().precision(Precision.FP16).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("FP16 needs Device.CUDA");
        assertThatThrownBy(() -> Detector.demoBuilder().threads(-1).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("threads");
        assertThatThrownBy(() -> Detector.demoBuilder().batchSize(0).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> Detector.builder(Path.of("absent.pth")).config(Path.of("absent.py")).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("config(..)");
        assertThatThrownBy(() -> Detector.demoBuilder().config(suite.resolve("config.json")).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("demo");
        if (!org.bytedeco.pytorch.global.torch.cuda_is_available()) {
            assertThatThrownBy(() -> Detector.demoBuilder().device(Device.CUDA).build())
                    .isInstanceOf(NativeLibraryException.class).hasMessageContaining("CUDA");
        }
    }

    @Test
    void bf16OnTheCpuUsesBfloat16WeightsAndStaysClose() {
        BufferedImage img = strip(12, 400, 10);
        try (Detector bf16 = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .precision(Precision.BF16).build()) {
            assertThat(bf16.precision()).isEqualTo(Precision.BF16);
            RawOutputs a = bf16.rawOutputs(ImageInput.of(img), Prompt.text("cat . dog"));
            RawOutputs b = detector.rawOutputs(ImageInput.of(img), Prompt.text("cat . dog"));
            float[] x = a.boxes();
            float[] y = b.boxes();
            // bf16 can reorder the two-stage top-k, so compare each FP32 box with the nearest BF16 box
            int close = 0;
            for (int q = 0; q < b.queries(); q++) {
                double best = Double.MAX_VALUE;
                for (int r = 0; r < a.queries(); r++) {
                    double d = 0;
                    for (int k = 0; k < 4; k++) {
                        d = Math.max(d, Math.abs(x[r * 4 + k] - y[q * 4 + k]));
                    }
                    best = Math.min(best, d);
                }
                close += best < 0.02 ? 1 : 0;
            }
            for (float v : x) {
                assertThat(v).isBetween(0f, 1f);
            }
            System.out.printf("BF16 vs FP32: %d of %d FP32 boxes have a BF16 box within 0.02%n", close, b.queries());
            assertThat(close).isGreaterThanOrEqualTo(b.queries() / 2);
            // and bfloat16 really ran: float32 weights would give these boxes bit for bit
            double differs = 0;
            for (int i = 0; i < x.length; i++) {
                differs = Math.max(differs, Math.abs(x[i] - y[i]));
            }
            assertThat(differs).as("BF16 boxes are not the FP32 ones").isGreaterThan(1e-4);
            // autocast is thread-local and switched off again after the call
            assertThat(org.bytedeco.pytorch.global.torch.is_autocast_enabled(
                    org.bytedeco.pytorch.global.torch.DeviceType.CPU)).isFalse();
        }
    }

    @Test
    void safetensorsCheckpointGivesTheSameOutputsAsThePth(@TempDir Path tmp) {
        Path st = tmp.resolve("gdino.safetensors");
        try (dev.groundingdino.internal.weights.StateDict sd = dev.groundingdino.internal.weights.StateDict.read(
                suite.resolve("gdino.pth"))) {
            dev.groundingdino.internal.weights.SafetensorsWriter.write(st, sd, java.util.Map.of());
        }
        BufferedImage img = strip(13, 400, 10);
        try (Detector fromSafetensors = Detector.builder(st).config(suite.resolve("config.json")).build()) {
            RawOutputs a = fromSafetensors.rawOutputs(ImageInput.of(img), Prompt.text("cat . dog"));
            RawOutputs b = detector.rawOutputs(ImageInput.of(img), Prompt.text("cat . dog"));
            assertThat(a.logits()).containsExactly(b.logits());
            assertThat(a.boxes()).containsExactly(b.boxes());
        }
    }

    @Test
    void nativeMemoryStaysFlatOverRepeatedCalls() throws IOException {
        BufferedImage img = strip(14, 400, 10);
        try (Detector d = loose()) {
            for (int i = 0; i < 3; i++) {
                d.detect(ImageInput.of(img), "cat . dog");
            }
            long before = (ProcessMemory.rssBytes() / 1024);
            for (int i = 0; i < 10; i++) {
                d.detect(ImageInput.of(img), "cat . dog");
            }
            long growthMb = ((ProcessMemory.rssBytes() / 1024) - before) / 1024;
            System.out.println("RSS growth over 10 detect calls: " + growthMb + " MB");
            assertThat(growthMb).isLessThan(60); // each call frees its temporaries with its inference scope
        }
    }


    @Test
    void theTruncationWarningNamesTheDroppedPhrasesOnOneLine() {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            prompt.append("object number ").append(i).append(" . ");
        }
        dev.groundingdino.internal.text.CaptionEncoding enc =
                dev.groundingdino.internal.text.CaptionEncoder.encode(prompt.toString());
        assertThat(enc.truncated()).isTrue();
        String warning = dev.groundingdino.internal.detector.Query.truncationWarning(enc, "the prompt");
        assertThat(warning).doesNotContain("\n").hasSizeLessThan(400).doesNotContain(prompt.toString().strip());
        assertThat(warning).contains("the model sees only the first 256").contains("Dropped")
                .containsPattern("Dropped \\d+ phrases: \"object number \\d+\"").contains(" more.");
    }
}
