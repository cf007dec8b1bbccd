package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TestInputs;
import dev.groundingdino.testing.GoldenTensors.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GroundingDINO on a CUDA GPU, through the public API, against the same golden data as the CPU: every golden case of
 * the original model (the reference {@code predict()} and head outputs) and of both Hub models (transformers'
 * outputs), in FP32 with the CPU's tolerances (TF32 is switched off for FP32); FP16 and BF16 within their own
 * tolerance of FP32; a batch equal to single calls. Skipped, visibly, where no CUDA GPU is usable: run on a GPU
 * machine with {@code tools/gpu/check.sh} (see docs/testing.md).
 */
@Tag("cuda")
class CudaParityTest {
    @TempDir
    Path tmp;

    @BeforeEach // per test, so that each is reported as skipped
    void needsAGpu() {
        assumeTrue(Device.CUDA.isAvailable(), "no usable CUDA GPU here: the CUDA parity checks run on a GPU machine "
                + "(tools/gpu/check.sh)");
    }

    private static Detector.Builder golden() {
        Path suite = Golden.gdinoSuite();
        return Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"));
    }

    @Test
    void fp32MatchesTheReferenceOnEveryGoldenCase() {
        try (Detector cuda = golden().device(Device.CUDA).build()) {
            assertThat(cuda.device()).isEqualTo(Device.CUDA);
            DetectorGoldenTest.assertMatchesPredict(cuda, 1e-4);
            for (Path dir : Golden.gdinoCases()) {
                DetectorGoldenTest.assertRawOutputs(cuda, dir);
            }
        }
    }

    @Test
    void fp32HubModelsMatchTransformersOnEveryCase() {
        for (String model : List.of("grounding-dino-tiny_seed0", "mm-grounding-dino-tiny_seed0")) {
            Path folder = Golden.dir().resolve("hf").resolve(model);
            try (Detector cuda = Detector.builder(folder).device(Device.CUDA).build()) {
                for (String name : List.of("catdog_small", "truck_small", "pano_official", "batch2")) {
                    Path inputs = folder.resolve("cases").resolve(name).resolve("tensors.safetensors");
                    Path out = tmp.resolve(model + "-" + name + ".safetensors");
                    cuda.forward(inputs, out);
                    Map<String, Entry> golden = GoldenTensors.read(inputs);
                    Map<String, Entry> written = GoldenTensors.read(out);
                    double logits = DetectorForwardTest.maxError(written.get("pred_logits"), golden.get("logits"));
                    double boxes = DetectorForwardTest.maxError(written.get("pred_boxes"), golden.get("pred_boxes"));
                    System.out.printf("CUDA FP32 %s/%s: logits %.3e, boxes %.3e%n", model, name, logits, boxes);
                    assertThat(logits).as(model + "/" + name).isLessThanOrEqualTo(1e-4);
                    assertThat(boxes).as(model + "/" + name).isLessThanOrEqualTo(1e-5);
                }
            }
        }
    }

    @Test
    void fp16AndBf16StayWithinTheirPrecisionOfFp32() {
        Path image = Golden.dir().resolve("images/cat_dog.jpeg");
        RawOutputs fp32;
        try (Detector cpu = golden().build()) {
            fp32 = cpu.rawOutputs(ImageInput.of(image), Prompt.text("cat . dog"));
        }
        for (Precision precision : List.of(Precision.FP16, Precision.BF16)) {
            try (Detector cuda = golden().device(Device.CUDA).precision(precision).build()) {
                RawOutputs reduced = cuda.rawOutputs(ImageInput.of(image), Prompt.text("cat . dog"));
                int close = closeBoxes(reduced, fp32, 0.02);
                System.out.printf("CUDA %s vs CPU FP32: %d of %d boxes within 0.02%n", precision, close,
                        fp32.queries());
                for (float v : reduced.boxes()) {
                    assertThat(v).as(precision + " box value").isBetween(0f, 1f);
                }
                assertThat(close).as(precision.toString()).isGreaterThanOrEqualTo(fp32.queries() / 2);
                assertThat(maxDiff(reduced.boxes(), fp32.boxes())).as(precision + " really ran in reduced precision")
                        .isGreaterThan(1e-5);
            }
        }
    }

    @Test
    void aBatchOnTheGpuEqualsSingleCalls() {
        List<ImageInput> images = new ArrayList<>();
        for (Path dir : Golden.gdinoCases()) {
            images.add(ImageInput.of(Golden.dir().resolve(Golden.json(dir.resolve("case.json")).get("image")
                    .asText())));
        }
        try (Detector cuda = golden().device(Device.CUDA).boxThreshold(0.05).textThreshold(0.05).build();
                Detector batched = cuda.withBatchSize(images.size())) {
            List<DetectionResult> together = batched.detect(images, Prompt.text("cat . dog . truck"));
            for (int i = 0; i < images.size(); i++) {
                DetectionResult alone = cuda.detect(images.get(i), "cat . dog . truck");
                assertThat(together.get(i).detections()).hasSameSizeAs(alone.detections());
                for (int k = 0; k < alone.size(); k++) {
                    Detection a = alone.detections().get(k);
                    Detection b = together.get(i).detections().get(k);
                    assertThat(b.queryIndex()).isEqualTo(a.queryIndex());
                    assertThat(Math.abs(b.score() - a.score())).isLessThan(1e-4);
                }
            }
        }
    }

    @Test
    void aChunkedClassListAndEncodedFeaturesMatchTheCpu() {
        List<String> classes = TestInputs.classNames(300, 0); // 4 chunks
        ImageInput image = ImageInput.of(TestInputs.strip(11, 400, 10));
        try (Detector cpu = golden().boxThreshold(0.5).textThreshold(0.5).classMatching(ClassMatching.TOKEN_SPANS)
                .build();
                Detector cuda = golden().device(Device.CUDA).boxThreshold(0.5).textThreshold(0.5)
                        .classMatching(ClassMatching.TOKEN_SPANS).build();
                ImageFeatures features = cuda.encodeImage(image)) {
            DetectionResult expected = cpu.detect(image, Prompt.classes(classes));
            DetectionResult got = cuda.detect(image, Prompt.classes(classes));
            assertThat(got.chunks()).isEqualTo(expected.chunks()).hasSize(4);
            assertThat(cuda.detect(features, Prompt.classes(classes))).isEqualTo(got); // same device, same numbers
            assertThat(got.detections()).extracting(Detection::classId)
                    .containsExactlyElementsOf(expected.detections().stream().map(Detection::classId).toList());
            for (int i = 0; i < got.size(); i++) {
                assertThat(Math.abs(got.detections().get(i).score() - expected.detections().get(i).score()))
                        .isLessThan(1e-4);
                assertThat(Math.abs(got.detections().get(i).normalizedBox().cx()
                        - expected.detections().get(i).normalizedBox().cx())).isLessThan(1e-5);
            }
        }
    }

    /** How many of {@code b}'s boxes have a box of {@code a} within {@code tol} (top-k may reorder queries). */
    static int closeBoxes(RawOutputs a, RawOutputs b, double tol) {
        float[] x = a.boxes();
        float[] y = b.boxes();
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
            close += best < tol ? 1 : 0;
        }
        return close;
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
