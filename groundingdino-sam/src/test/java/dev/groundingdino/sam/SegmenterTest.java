package dev.groundingdino.sam;

import dev.groundingdino.internal.runtime.ProcessMemory;
import dev.groundingdino.Box;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.ImageInput;
import dev.groundingdino.PromptException;
import dev.groundingdino.InvalidValueException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        truck = segmenter.embed(ImageInput.of(Golden.dir().resolve(caseJson.get("image").asText())));
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
        return prediction(caseJson, name);
    }

    private static JsonNode prediction(JsonNode caseJson, String name) {
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
            Segmentation s = segmenter.segment(truck, MaskPrompt.of(box(p.get("box_xyxy"))), multimask);
            assertThat(s.masks()).hasSize(multimask ? 3 : 1);
            assertThat(s.prompt().box()).isEqualTo(box(p.get("box_xyxy")));
            assertGolden(p, 0, s);
        }
    }

    @Test
    void boxListMatchesPredictTorch() {
        JsonNode p = prediction("batch_single");
        List<Box> boxes = new ArrayList<>();
        p.get("boxes_xyxy").forEach(b -> boxes.add(box(b)));
        List<Segmentation> out = segmenter.segment(truck, MaskPrompt.ofBoxes(boxes), false);
        assertThat(out).hasSize(boxes.size());
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).prompt().box()).isEqualTo(boxes.get(i));
            assertThat(out.get(i).masks()).hasSize(1);
            assertGolden(p, i, out.get(i));
        }
    }

    @Test
    void embeddingIsReusableAndCallsAreRepeatableAcrossThreads() throws Exception {
        Box b = new Box(425, 600, 700, 875);
        Segmentation first = segmenter.segment(truck, MaskPrompt.of(b), true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Segmentation>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                futures.add(pool.submit(() -> segmenter.segment(truck, MaskPrompt.of(b), true)));
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
    void rawOutputsMatchTheGoldenLowResLogitsAndIous() {
        assertRawOutputs(segmenter, truck);
    }

    /**
     * {@code segmenter}'s raw outputs (the golden tiny SAM, on any device) for the truck case's single box (multimask)
     * and four-box batch: low-res logits to 1e-4, IoU predictions to 1e-5.
     */
    static void assertRawOutputs(Segmenter segmenter, ImageEmbedding truck) {
        Path caseDir = Golden.samSuite().resolve("cases/truck");
        JsonNode caseJson = Golden.json(caseDir.resolve("case.json"));
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(caseDir.resolve("tensors.safetensors"));
        JsonNode single = prediction(caseJson, "box1_multi");
        RawMasks raw = segmenter.rawOutputs(truck, List.of(MaskPrompt.of(box(single.get("box_xyxy")))), true);
        assertThat(raw.masksPerPrompt()).isEqualTo(3);
        assertThat(raw.lowResSize()).isEqualTo(256);
        assertThat(raw.lowResLogits()).hasSize(3 * 256 * 256);
        assertThat(raw.iouPredictions()).hasSize(3);
        // rawOutputs takes the batched predict_torch path (float32 box transform); the golden single-box case went
        // through predict (float64): the same numbers to float rounding
        double logits = TensorValues.maxAbsDiff(raw.lowResLogits(), golden.get("box1_multi_low_res_logits").asFloats());
        double iou = TensorValues.maxAbsDiff(raw.iouPredictions(), golden.get("box1_multi_iou_predictions").asFloats());
        System.out.printf("box1_multi (%s): max |low_res_logits - golden| = %.3g, max |iou - golden| = %.3g%n",
                segmenter.device(), logits, iou);
        assertThat(logits).isLessThan(1e-4);
        assertThat(iou).isLessThan(1e-5);

        JsonNode batch = prediction(caseJson, "batch_single");
        List<Box> boxes = new ArrayList<>();
        batch.get("boxes_xyxy").forEach(b -> boxes.add(box(b)));
        RawMasks batched = segmenter.rawOutputs(truck, MaskPrompt.ofBoxes(boxes), false);
        assertThat(batched.lowResLogits()).hasSize(4 * 256 * 256);
        double bl = TensorValues.maxAbsDiff(batched.lowResLogits(), golden.get("batch_single_low_res_logits").asFloats());
        double bi = TensorValues.maxAbsDiff(batched.iouPredictions(),
                golden.get("batch_single_iou_predictions").asFloats());
        System.out.printf("batch_single: max |low_res_logits - golden| = %.3g, iou %.3g%n", bl, bi);
        assertThat(bl).isLessThan(1e-4);
        assertThat(bi).isLessThan(1e-5);
    }

    @Test
    void longBoxListsAreDecodedInChunksWithTheSameResults() {
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < Segmenter.MAX_BATCH + 1; i++) { // a full chunk and a chunk of one
            boxes.add(new Box(40 + 60 * i, 100 + 20 * i, 300 + 70 * i, 500 + 25 * i));
        }
        List<Segmentation> all = segmenter.segment(truck, MaskPrompt.ofBoxes(boxes), false);
        assertThat(all).hasSize(boxes.size());
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).prompt().box()).isEqualTo(boxes.get(i));
        }
        // Each box is computed on its own: a box's mask does not depend on its batch. Allow the float noise of
        // different batch shapes (pixels whose logit is within ~1e-5 of 0).
        assertMasksClose(all.subList(0, 1), segmenter.segment(truck, MaskPrompt.ofBoxes(boxes.subList(0, 1)), false));
        assertMasksClose(all.subList(Segmenter.MAX_BATCH, boxes.size()),
                segmenter.segment(truck, MaskPrompt.ofBoxes(boxes.subList(Segmenter.MAX_BATCH, boxes.size())), false));
    }

    private static void assertMasksClose(List<Segmentation> a, List<Segmentation> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            Mask x = a.get(i).masks().get(0);
            Mask y = b.get(i).masks().get(0);
            assertThat(Math.abs(x.area() - y.area())).as("area difference of box %d", i).isLessThanOrEqualTo(20);
            assertThat((double) x.predictedIou()).isCloseTo(y.predictedIou(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void badPromptsAreRejectedWithSpecificExceptions() {
        assertThatThrownBy(() -> segmenter.segment(truck, MaskPrompt.ofBoxes(List.of()), false))
                .isInstanceOf(PromptException.class).hasMessageContaining("no prompts");
        assertThatThrownBy(() -> segmenter.segment(truck, (MaskPrompt) null, false))
                .isInstanceOf(PromptException.class);
        assertThatThrownBy(() -> segmenter.segment(truck, MaskPrompt.of(new Box(-1, 0, 10, 10))))
                .isInstanceOf(PromptException.class).hasMessageContaining("1800x1200");
        assertThatThrownBy(() -> segmenter.segment(truck, MaskPrompt.ofBoxes(List.of(new Box(0, 0, 10, 10),
                new Box(0, 0, 1801, 10))), false)).isInstanceOf(PromptException.class).hasMessageContaining("prompt 1");
        assertThatThrownBy(() -> segmenter.segment(truck, List.of(MaskPrompt.of(new Box(0, 0, 10, 10)),
                MaskPrompt.of(Point.foreground(5, 5))), false))
                .isInstanceOf(PromptException.class).hasMessageContaining("shape");
        assertThatThrownBy(() -> segmenter.segment(truck, MaskPrompt.of(Point.foreground(1801, 5))))
                .isInstanceOf(PromptException.class).hasMessageContaining("1800x1200");
        assertThatThrownBy(() -> MaskPrompt.of(new Point[0])).isInstanceOf(PromptException.class)
                .hasMessageContaining("a box or at least one point");
        assertThatThrownBy(() -> new Box(10, 0, 5, 10))
                .isInstanceOf(PromptException.class).hasMessageContaining("inverted");
        assertThatThrownBy(() -> new Box(0, Double.NaN, 5, 10)).isInstanceOf(PromptException.class);
        assertThat(new Box(-5, 10, 2000, 1300).clampTo(1800, 1200)).isEqualTo(new Box(0, 10, 1800, 1200));
    }

    @Test
    void closedOrForeignEmbeddingsAreRejected() throws IOException {
        ImageEmbedding small = segmenter.embed(ImageInput.of(Files.readAllBytes(Golden.dir().resolve("images/dog.jpg"))));
        Segmentation ok = segmenter.segment(small, MaskPrompt.of(new Box(10, 10, 100, 100)));
        assertThat(ok.masks().get(0).bitmap().width()).isEqualTo(small.width());
        small.close();
        small.close(); // idempotent
        assertThat(small.isClosed()).isTrue();
        assertThatThrownBy(() -> segmenter.segment(small, MaskPrompt.of(new Box(10, 10, 100, 100))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        Segmenter other = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"));
        try {
            assertThatThrownBy(() -> other.segment(truck, MaskPrompt.of(new Box(10, 10, 100, 100))))
                    .isInstanceOf(InvalidValueException.class).hasMessageContaining("another Segmenter");
        } finally {
            other.close();
        }
        other.close(); // idempotent
        assertThat(other.isClosed()).isTrue();
        assertThat(segmenter.isClosed()).isFalse();
        assertThatThrownBy(() -> other.embed(ImageInput.of(Golden.dir().resolve("images/dog.jpg"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void repeatedCallsDoNotLeakNativeMemory() throws IOException {
        Box b = new Box(425, 600, 700, 875);
        for (int i = 0; i < 3; i++) {
            segmenter.segment(truck, MaskPrompt.of(b), true);
        }
        try (ImageEmbedding warm = segmenter.embed(ImageInput.of(Golden.dir().resolve("images/dog.jpg")))) {
            segmenter.segment(warm, MaskPrompt.of(new Box(10, 10, 100, 100)));
        }
        long before = ProcessMemory.rssBytes();
        for (int i = 0; i < 8; i++) {
            segmenter.segment(truck, MaskPrompt.of(b), true); // ~40 MB of temporaries per call: 320 MB if they leaked
        }
        for (int i = 0; i < 2; i++) {
            try (ImageEmbedding e = segmenter.embed(ImageInput.of(Golden.dir().resolve("images/dog.jpg")))) {
                segmenter.segment(e, MaskPrompt.of(new Box(10, 10, 100, 100))); // the encoder alone allocates > 100 MB
            }
        }
        long grown = ProcessMemory.rssBytes() - before;
        System.out.println("RSS growth over 8 segment + 2 embed calls: " + grown / (1 << 20) + " MiB");
        assertThat(grown).as("RSS growth in bytes").isLessThan(200L << 20);
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
