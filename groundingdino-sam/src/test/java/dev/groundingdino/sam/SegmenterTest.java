package dev.groundingdino.sam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.testing.Golden;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The public API on the tiny golden SAM: loading, golden masks through {@link Segmenter}, and bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmenterTest {
    private Segmenter segmenter;
    private ImageEmbedding truck;
    private JsonNode caseJson;
    private Path caseDir;

    @BeforeAll
    void load() {
        segmenter = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"));
        caseDir = Golden.samSuite().resolve("cases/truck");
        caseJson = Golden.json(caseDir.resolve("case.json"));
        truck = segmenter.embed(Golden.dir().resolve(caseJson.get("image").asText()));
    }

    @AfterAll
    void close() {
        if (truck != null) {
            truck.close();
        }
        if (segmenter != null) {
            segmenter.close();
        }
    }

    private JsonNode prediction(String name) {
        for (JsonNode p : caseJson.get("predictions")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no prediction " + name);
    }

    private static Box box(JsonNode xyxy) {
        return new Box(xyxy.get(0).asDouble(), xyxy.get(1).asDouble(), xyxy.get(2).asDouble(), xyxy.get(3).asDouble());
    }

    /** The masks of a segmentation against the golden counts, IoUs and PNGs. */
    private void assertGolden(JsonNode p, int row, Segmentation s) {
        int count = s.masks().size();
        for (int j = 0; j < count; j++) {
            Mask m = s.masks().get(j);
            int tolerance = p.get("near_threshold_pixels").get("1e-4").get(row + j).asInt();
            long golden = p.get("mask_true_pixels").get(row + j).asLong();
            assertThat(Math.abs(m.area() - golden)).as("area of mask %d", row + j).isLessThanOrEqualTo(tolerance);
            JsonNode iou = p.get("iou_predictions").get(row + j);
            double expectedIou = iou.isArray() ? iou.get(0).asDouble() : iou.asDouble();
            assertThat((double) m.predictedIou()).isCloseTo(expectedIou, org.assertj.core.data.Offset.offset(1e-5));
            Raster png = readPng(caseDir.resolve(p.get("mask_pngs").get(row + j).asText()));
            long differing = 0;
            MaskBitmap bitmap = m.bitmap();
            assertThat(bitmap.width()).isEqualTo(png.getWidth());
            assertThat(bitmap.height()).isEqualTo(png.getHeight());
            for (int y = 0; y < bitmap.height(); y++) {
                for (int x = 0; x < bitmap.width(); x++) {
                    if ((png.getSample(x, y, 0) != 0) != bitmap.get(x, y)) {
                        differing++;
                    }
                }
            }
            assertThat(differing).as("pixels differing from %s", p.get("mask_pngs").get(row + j)).isLessThanOrEqualTo(tolerance);
            assertThat(bitmap.area()).isEqualTo(m.area());
            assertBoundsConsistent(m);
        }
    }

    private static void assertBoundsConsistent(Mask m) {
        MaskBitmap b = m.bitmap();
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < b.height(); y++) {
            for (int x = 0; x < b.width(); x++) {
                if (b.get(x, y)) {
                    minX = Math.min(minX, x);
                    minY = Math.min(minY, y);
                    maxX = Math.max(maxX, x);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        assertThat(m.bounds()).isEqualTo(maxX < 0 ? new Box(0, 0, 0, 0) : new Box(minX, minY, maxX + 1, maxY + 1));
    }

    private static Raster readPng(Path file) {
        try {
            return ImageIO.read(file.toFile()).getRaster();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void recognisesTheTinyVariantFromBothFormats() {
        assertThat(segmenter.variant()).isEqualTo("tiny");
        try (Segmenter fromPth = Segmenter.load(Golden.samSuite().resolve("sam.pth"))) {
            assertThat(fromPth.variant()).isEqualTo("tiny");
        }
    }

    @Test
    void singleBoxCallsMatchSamPredictorPredict() {
        for (String name : List.of("box0_single", "box1_multi")) {
            JsonNode p = prediction(name);
            boolean multimask = p.get("multimask_output").asBoolean();
            Segmentation s = segmenter.segment(truck, box(p.get("box_xyxy")), multimask);
            assertThat(s.masks()).hasSize(multimask ? 3 : 1);
            assertThat(s.prompt()).isEqualTo(box(p.get("box_xyxy")));
            assertGolden(p, 0, s);
        }
    }

    @Test
    void boxListMatchesPredictTorch() {
        JsonNode p = prediction("batch_single");
        List<Box> boxes = new ArrayList<>();
        p.get("boxes_xyxy").forEach(b -> boxes.add(box(b)));
        List<Segmentation> out = segmenter.segment(truck, boxes);
        assertThat(out).hasSize(boxes.size());
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).prompt()).isEqualTo(boxes.get(i));
            assertThat(out.get(i).masks()).hasSize(1);
            assertGolden(p, i, out.get(i));
        }
    }

    @Test
    void embeddingIsReusableAndCallsAreRepeatableAcrossThreads() throws Exception {
        Box b = new Box(425, 600, 700, 875);
        Segmentation first = segmenter.segment(truck, b, true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Segmentation>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                futures.add(pool.submit(() -> segmenter.segment(truck, b, true)));
            }
            for (Future<Segmentation> f : futures) {
                assertThat(f.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(first.best()).isEqualTo(first.masks().get(1)); // golden IoUs: -0.105, 0.284, -0.017
    }

    @Test
    void badPromptsAreRejectedWithSpecificExceptions() {
        assertThatThrownBy(() -> segmenter.segment(truck, List.of()))
                .isInstanceOf(InvalidPromptException.class).hasMessageContaining("no boxes");
        assertThatThrownBy(() -> segmenter.segment(truck, (Box) null, false))
                .isInstanceOf(InvalidPromptException.class);
        assertThatThrownBy(() -> segmenter.segment(truck, new Box(-1, 0, 10, 10)))
                .isInstanceOf(BoxOutsideImageException.class).hasMessageContaining("1800x1200");
        assertThatThrownBy(() -> segmenter.segment(truck, List.of(new Box(0, 0, 10, 10), new Box(0, 0, 1801, 10))))
                .isInstanceOf(BoxOutsideImageException.class).hasMessageContaining("box 1");
        assertThatThrownBy(() -> new Box(10, 0, 5, 10))
                .isInstanceOf(InvertedBoxException.class).hasMessageContaining("inverted");
        assertThatThrownBy(() -> new Box(0, Double.NaN, 5, 10)).isInstanceOf(InvalidBoxException.class);
        assertThat(new Box(-5, 10, 2000, 1300).clampTo(1800, 1200)).isEqualTo(new Box(0, 10, 1800, 1200));
    }

    @Test
    void closedOrForeignEmbeddingsAreRejected() throws IOException {
        ImageEmbedding small = segmenter.embed(Files.readAllBytes(Golden.dir().resolve("images/dog.jpg")));
        Segmentation ok = segmenter.segment(small, new Box(10, 10, 100, 100));
        assertThat(ok.masks().get(0).bitmap().width()).isEqualTo(small.width());
        small.close();
        small.close(); // idempotent
        assertThat(small.isClosed()).isTrue();
        assertThatThrownBy(() -> segmenter.segment(small, new Box(10, 10, 100, 100)))
                .isInstanceOf(ClosedEmbeddingException.class).hasMessageContaining("closed");
        Segmenter other = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"));
        try {
            assertThatThrownBy(() -> other.segment(truck, new Box(10, 10, 100, 100)))
                    .isInstanceOf(InvalidEmbeddingException.class).hasMessageContaining("another Segmenter");
        } finally {
            other.close();
        }
        other.close(); // idempotent
        assertThatThrownBy(() -> other.embed(Golden.dir().resolve("images/dog.jpg")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void repeatedCallsDoNotLeakNativeMemory() throws IOException {
        Box b = new Box(425, 600, 700, 875);
        for (int i = 0; i < 3; i++) {
            segmenter.segment(truck, b, true);
        }
        try (ImageEmbedding warm = segmenter.embed(Golden.dir().resolve("images/dog.jpg"))) {
            segmenter.segment(warm, new Box(10, 10, 100, 100));
        }
        long before = rssBytes();
        for (int i = 0; i < 8; i++) {
            segmenter.segment(truck, b, true); // ~40 MB of temporaries per call: 320 MB if they leaked
        }
        for (int i = 0; i < 2; i++) {
            try (ImageEmbedding e = segmenter.embed(Golden.dir().resolve("images/dog.jpg"))) {
                segmenter.segment(e, new Box(10, 10, 100, 100)); // the encoder alone allocates > 100 MB
            }
        }
        long grown = rssBytes() - before;
        System.out.println("RSS growth over 8 segment + 2 embed calls: " + grown / (1 << 20) + " MiB");
        assertThat(grown).as("RSS growth in bytes").isLessThan(200L << 20);
    }

    /** Resident set size of this JVM (Linux), or skips the check elsewhere. */
    private static long rssBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(status), "needs /proc/self/status");
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    @Test
    void groundingDinoAndBrokenCheckpointsAreRejected(@TempDir Path tmp) throws IOException {
        assertThatThrownBy(() -> Segmenter.load(Golden.gdinoSuite().resolve("gdino.pth")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("GroundingDINO");
        assertThatThrownBy(() -> Segmenter.load(tmp.resolve("missing.pth"))).isInstanceOf(CheckpointException.class);
        Path junk = Files.write(tmp.resolve("junk.pth"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThatThrownBy(() -> Segmenter.load(junk)).isInstanceOf(CheckpointException.class);
    }
}
