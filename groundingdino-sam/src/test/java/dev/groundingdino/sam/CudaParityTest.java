package dev.groundingdino.sam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.Detector;
import dev.groundingdino.Device;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Precision;
import dev.groundingdino.sam.internal.sam2.Sam2Golden;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Segment Anything, SAM 2.1 and Grounded-SAM on a CUDA GPU, through the public API, against the same golden data as
 * the CPU: SAM's and SAM 2.1's golden cases in FP32 with the CPU's tolerances, FP16 / BF16 masks close to FP32's,
 * and Grounded-SAM with both models on the GPU equal to the CPU run. Skipped, visibly, where no CUDA GPU is usable:
 * run on a GPU machine with {@code tools/gpu/check.sh} (see docs/testing.md).
 */
@Tag("cuda")
class CudaParityTest {
    @BeforeEach // per test, so that each is reported as skipped
    void needsAGpu() {
        assumeTrue(Device.CUDA.isAvailable(), "no usable CUDA GPU here: the CUDA parity checks run on a GPU machine "
                + "(tools/gpu/check.sh)");
    }

    private static Path truckImage() {
        JsonNode c = Golden.json(Golden.samSuite().resolve("cases/truck/case.json"));
        return Golden.dir().resolve(c.get("image").asText());
    }

    @Test
    void samFp32MatchesTheGoldenCase() {
        try (Segmenter cuda = Segmenter.builder(Golden.samSuite().resolve("sam.safetensors")).device(Device.CUDA)
                .build(); ImageEmbedding truck = cuda.embed(ImageInput.of(truckImage()))) {
            assertThat(cuda.device()).isEqualTo(Device.CUDA);
            SegmenterTest.assertRawOutputs(cuda, truck);
        }
    }

    @Test
    void sam2Fp32MatchesEveryGoldenCase() {
        Path dir = Sam2Golden.checkpoint().getParent();
        try (Segmenter cuda = Segmenter.builder(Sam2Golden.checkpoint()).config(dir.resolve("config.json"))
                .device(Device.CUDA).build()) {
            Sam2SegmenterTest.assertEveryGoldenCase(cuda);
        }
    }

    @Test
    void reducedPrecisionMasksStayCloseToFp32() {
        MaskPrompt box = null;
        for (JsonNode p : Golden.json(Golden.samSuite().resolve("cases/truck/case.json")).get("predictions")) {
            if (p.get("name").asText().equals("box1_multi")) {
                JsonNode b = p.get("box_xyxy");
                box = MaskPrompt.of(new dev.groundingdino.Box(b.get(0).asDouble(), b.get(1).asDouble(),
                        b.get(2).asDouble(), b.get(3).asDouble()));
            }
        }
        assertThat(box).as("the golden truck case's box1_multi").isNotNull();
        Mask fp32;
        try (Segmenter cpu = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"));
                ImageEmbedding e = cpu.embed(ImageInput.of(truckImage()))) {
            fp32 = cpu.segment(e, box, false).masks().get(0);
        }
        for (Precision precision : new Precision[] {Precision.FP16, Precision.BF16}) {
            try (Segmenter cuda = Segmenter.builder(Golden.samSuite().resolve("sam.safetensors")).device(Device.CUDA)
                    .precision(precision).build(); ImageEmbedding e = cuda.embed(ImageInput.of(truckImage()))) {
                Mask reduced = cuda.segment(e, box, false).masks().get(0);
                double iou = iou(reduced.bitmap(), fp32.bitmap());
                System.out.printf("SAM CUDA %s vs CPU FP32: mask IoU %.4f%n", precision, iou);
                assertThat(iou).as(precision.toString()).isGreaterThan(0.98); // CPU BF16: 0.997-0.998 (SegmenterPrecisionTest)
            }
        }
    }

    @Test
    void groundedSamOnTheGpuEqualsTheCpu() {
        Path suite = Golden.gdinoSuite();
        JsonNode c = Golden.json(suite.resolve("cases/catdog_cat-dog/case.json"));
        Path image = Golden.dir().resolve(c.get("image").asText());
        GroundedSamResult cpu;
        GroundedSamResult gpu;
        try (Detector d = detector(suite, c, Device.CPU);
                Segmenter s = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"))) {
            cpu = GroundedSam.run(d, s, ImageInput.of(image), c.get("caption_raw").asText());
        }
        try (Detector d = detector(suite, c, Device.CUDA);
                Segmenter s = Segmenter.builder(Golden.samSuite().resolve("sam.safetensors")).device(Device.CUDA)
                        .build()) {
            gpu = GroundedSam.run(d, s, ImageInput.of(image), c.get("caption_raw").asText());
        }
        assertThat(gpu.size()).isEqualTo(cpu.size()).isPositive();
        for (int i = 0; i < cpu.size(); i++) {
            GroundedMask a = cpu.masks().get(i);
            GroundedMask b = gpu.masks().get(i);
            assertThat(b.detection().queryIndex()).isEqualTo(a.detection().queryIndex());
            assertThat(Math.abs(b.detection().score() - a.detection().score())).isLessThan(1e-4);
            double iou = iou(b.mask().bitmap(), a.mask().bitmap());
            System.out.printf("Grounded-SAM detection %d: CUDA vs CPU mask IoU %.5f%n", i, iou);
            assertThat(iou).isGreaterThan(0.99);
        }
    }

    private static Detector detector(Path suite, JsonNode c, Device device) {
        return Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json")).device(device)
                .boxThreshold(c.get("box_threshold").asDouble()).textThreshold(c.get("text_threshold").asDouble())
                .build();
    }

    private static double iou(MaskBitmap a, MaskBitmap b) {
        long inter = 0;
        long union = 0;
        for (int y = 0; y < a.height(); y++) {
            for (int x = 0; x < a.width(); x++) {
                boolean p = a.get(x, y);
                boolean q = b.get(x, y);
                inter += p && q ? 1 : 0;
                union += p || q ? 1 : 0;
            }
        }
        return union == 0 ? 1 : (double) inter / union;
    }
}
