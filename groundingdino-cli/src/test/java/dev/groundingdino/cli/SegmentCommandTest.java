package dev.groundingdino.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.sam.CocoRle;
import dev.groundingdino.sam.MaskBitmap;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gdino segment} on the tiny golden SAM (and GroundingDINO for --prompt): outputs against golden, bad input. */
class SegmentCommandTest {
    private static final Path SAM = Golden.samSuite().resolve("sam.safetensors");
    private static final Path TRUCK_CASE = Golden.samSuite().resolve("cases/truck");
    private static final Path TRUCK = Golden.dir().resolve("images/truck.jpg");

    private static MaskBitmap readMask(Path png) throws Exception {
        Raster r = ImageIO.read(png.toFile()).getRaster();
        byte[] px = new byte[r.getWidth() * r.getHeight()];
        for (int y = 0; y < r.getHeight(); y++) {
            for (int x = 0; x < r.getWidth(); x++) {
                px[y * r.getWidth() + x] = (byte) (r.getSample(x, y, 0) != 0 ? 1 : 0);
            }
        }
        return MaskBitmap.of(r.getWidth(), r.getHeight(), px);
    }

    @Test
    void oneBoxWritesGoldenRawOutputsJsonMasksAndOverlay(@TempDir Path tmp) throws Exception {
        Path raw = tmp.resolve("raw.safetensors");
        Path json = tmp.resolve("out/masks.json");
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("segment", "--sam", SAM.toString(), "--image", TRUCK.toString(),
                "--box", "425,600,700,875", "--multimask", "--out", out.toString(), "--json", json.toString(),
                "--dump-raw", raw.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("prompt 0 [425.0, 600.0, 700.0, 875.0]").contains("mask 2: iou").contains("(best)");

        // --dump-raw: SamPredictor.predict's low-res logits and IoUs for this box.
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(TRUCK_CASE.resolve("tensors.safetensors"));
        Map<String, GoldenTensors.Entry> dumped = GoldenTensors.read(raw);
        assertThat(dumped.get("low_res_logits").shape()).containsExactly(1, 3, 256, 256);
        assertThat(TensorValues.maxAbsDiff(dumped.get("low_res_logits").asFloats(),
                golden.get("box0_multi_low_res_logits").asFloats())).isLessThan(1e-4);
        assertThat(TensorValues.maxAbsDiff(dumped.get("iou_predictions").asFloats(),
                golden.get("box0_multi_iou_predictions").asFloats())).isLessThan(1e-5);
        assertThat(dumped.get("boxes").asFloats()).containsExactly(425, 600, 700, 875);

        // --json: areas within the golden near-threshold tolerance, RLE = the PNG written by --out.
        JsonNode caseJson = Golden.json(TRUCK_CASE.resolve("case.json"));
        JsonNode p = null;
        for (JsonNode q : caseJson.get("predictions")) {
            if (q.get("name").asText().equals("box0_multi")) {
                p = q;
            }
        }
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("width").asInt()).isEqualTo(1800);
        assertThat(doc.get("height").asInt()).isEqualTo(1200);
        JsonNode seg = doc.get("segmentations").get(0);
        assertThat(seg.get("box").toString()).isEqualTo("[425.0,600.0,700.0,875.0]");
        assertThat(seg.get("best").asInt()).isEqualTo(1); // golden IoUs: -0.105, 0.284, -0.017
        for (int j = 0; j < 3; j++) {
            JsonNode m = seg.get("masks").get(j);
            long goldenArea = p.get("mask_true_pixels").get(j).asLong();
            int tolerance = p.get("near_threshold_pixels").get("1e-4").get(j).asInt();
            assertThat(Math.abs(m.get("area").asLong() - goldenArea)).isLessThanOrEqualTo(tolerance);
            assertThat(m.get("predicted_iou").asDouble()).isCloseTo(p.get("iou_predictions").get(j).asDouble(),
                    org.assertj.core.data.Offset.offset(1e-5));
            assertThat(m.get("rle").get("size").toString()).isEqualTo("[1200,1800]");
            CocoRle rle = CocoRle.fromCompressedString(1200, 1800, m.get("rle").get("counts").asText());
            assertThat(rle.area()).isEqualTo(m.get("area").asLong());
            assertThat(rle.toBitmap()).isEqualTo(readMask(out.resolve("mask_0_" + j + ".png")));
        }
        BufferedImage overlay = ImageIO.read(out.resolve("overlay.png").toFile());
        assertThat(overlay.getWidth()).isEqualTo(1800);
        assertThat(overlay.getHeight()).isEqualTo(1200);
    }

    @Test
    void severalBoxesAreOneBatchLikePredictTorch(@TempDir Path tmp) throws Exception {
        Path raw = tmp.resolve("raw.safetensors");
        CliRun run = CliRun.of("segment", "--sam", SAM.toString(), "--image", TRUCK.toString(),
                "--box", "75,275,1725,850", "--box", "425, 600, 700, 875", "--box", "1375,550,1650,800",
                "--box", "1240,675,1400,750", "--dump-raw", raw.toString(), "--out", tmp.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("prompt 3 [1240.0, 675.0, 1400.0, 750.0]");
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(TRUCK_CASE.resolve("tensors.safetensors"));
        Map<String, GoldenTensors.Entry> dumped = GoldenTensors.read(raw);
        assertThat(dumped.get("low_res_logits").shape()).containsExactly(4, 1, 256, 256);
        assertThat(TensorValues.maxAbsDiff(dumped.get("low_res_logits").asFloats(),
                golden.get("batch_single_low_res_logits").asFloats())).isLessThan(1e-4);
        assertThat(TensorValues.maxAbsDiff(dumped.get("boxes_transformed").asFloats(),
                golden.get("batch_single_boxes_transformed").asFloats())).isZero();
        for (int i = 0; i < 4; i++) {
            assertThat(tmp.resolve("mask_" + i + ".png")).exists();
        }
    }

    @Test
    void bf16EncoderGivesNearlyTheSameMask(@TempDir Path tmp) throws Exception {
        Path raw = tmp.resolve("raw.safetensors");
        CliRun run = CliRun.of("segment", "--sam", SAM.toString(), "--image", TRUCK.toString(),
                "--box", "425,600,700,875", "--precision", "BF16", "--dump-raw", raw.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(TRUCK_CASE.resolve("tensors.safetensors"));
        float[] low = GoldenTensors.read(raw).get("low_res_logits").asFloats();
        float[] reference = golden.get("box0_single_low_res_logits").asFloats();
        double scale = TensorValues.maxAbsDiff(reference, new float[reference.length]);
        double deviation = TensorValues.maxAbsDiff(low, reference);
        // bfloat16 blocks: not the reference's numbers, but within a few percent of their scale
        assertThat(deviation).isGreaterThan(0).isLessThan(0.05 * scale);
    }

    @Test
    void promptModeSegmentsTheGroundingDinoBoxes(@TempDir Path tmp) throws Exception {
        Path suite = Golden.gdinoSuite();
        JsonNode caseJson = Golden.json(suite.resolve("cases/catdog_cat-dog/case.json"));
        Path json = tmp.resolve("grounded.json");
        CliRun run = CliRun.of("segment", "--sam", SAM.toString(),
                "--image", Golden.dir().resolve(caseJson.get("image").asText()).toString(),
                "--weights", suite.resolve("gdino.pth").toString(), "--config", suite.resolve("config.json").toString(),
                "--prompt", caseJson.get("caption_raw").asText(),
                "--box-threshold", caseJson.get("box_threshold").asText(),
                "--text-threshold", caseJson.get("text_threshold").asText(),
                "--json", json.toString(), "--out", tmp.resolve("out").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("3 detection(s)").contains("cat dog 0.99").doesNotContain("[SEP]");
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        JsonNode segs = doc.get("segmentations");
        assertThat(segs).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(segs.get(i).get("phrase").asText())
                    .isEqualTo(caseJson.get("predict").get("phrases").get(i).asText());
            assertThat(segs.get(i).get("label").asText()).doesNotContain("[SEP]");
            assertThat(segs.get(i).get("score").asDouble()).isCloseTo(
                    caseJson.get("predict").get("scores").get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(segs.get(i).get("masks")).hasSize(1);
        }
        assertThat(tmp.resolve("out/overlay.png")).exists();
        assertThat(tmp.resolve("out/mask_2.png")).exists();
    }

    /**
     * Runs {@code segment} with {@code args} and expects exit {@code code} with a one-line message containing
     * {@code text}: 2 for command lines rejected before any model is loaded, 1 for inputs found unusable while running.
     */
    private static void assertError(int code, String text, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "segment";
        System.arraycopy(args, 0, full, 1, args.length);
        CliRun run = CliRun.of(full);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(code);
        assertThat(run.err()).startsWith("gdino segment: ").contains(text).doesNotContain("\tat ");
        assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
    }

    @Test
    void badCommandLinesAreOneLineErrorsBeforeAnyModelIsLoaded(@TempDir Path tmp) throws Exception {
        String sam = SAM.toString();
        String image = TRUCK.toString();
        int usage = Gdino.EXIT_USAGE_ERROR;
        assertError(usage, "nothing to segment", "--sam", sam, "--image", image);
        assertError(usage, "--box 700,600,425,875 is inverted", "--sam", sam, "--image", image, "--box",
                "700,600,425,875");
        assertError(usage, "is not inside the 1800x1200", "--sam", sam, "--image", image, "--box", "0,0,1801,10");
        assertError(usage, "is not inside the 1800x1200", "--sam", sam, "--image", image, "--point", "1801,5,1");
        assertError(usage, "4 numbers", "--sam", sam, "--image", image, "--box", "1,2,3");
        assertError(usage, "is not a number", "--sam", sam, "--image", image, "--box", "1,2,x,4");
        assertError(usage, "NaN", "--sam", sam, "--image", image, "--box", "1,2,NaN,4");
        assertError(usage, "the label must be 1", "--sam", sam, "--image", image, "--point", "5,5,2");
        assertError(usage, "not both", "--sam", sam, "--image", image, "--box", "1,2,3,4", "--prompt", "cat");
        assertError(usage, "--weights w.pth: no such file", "--sam", sam, "--image", image, "--prompt", "cat",
                "--weights", "w.pth");
        assertError(usage, "--weights and --config need --prompt", "--sam", sam, "--image", image, "--box",
                "1,2,3,4", "--weights", "w.pth");
        assertError(usage, "missing.jpg: no such file", "--sam", sam, "--image", tmp.resolve("missing.jpg").toString(),
                "--box", "1,2,3,4");
        assertError(usage, "--sam nope.pth: no such file", "--sam", "nope.pth", "--image", image, "--box", "1,2,3,4");
        assertError(usage, "--precision FP16 needs --device CUDA", "--sam", sam, "--image", image, "--box", "1,2,3,4",
                "--precision", "FP16");
        assertError(usage, "--threads must be >= 0", "--sam", sam, "--image", image, "--box", "1,2,3,4", "--threads",
                "-2");
        assertError(usage, "--box-threshold must be in [0, 1]", "--sam", sam, "--image", image, "--prompt", "cat",
                "--box-threshold", "2");
        if (!dev.groundingdino.Device.CUDA.isAvailable()) {
            assertError(usage, "use --device CPU", "--sam", sam, "--image", image, "--box", "1,2,3,4", "--device",
                    "CUDA");
        }
        // found while loading: exit 1, the library's message
        assertError(Gdino.EXIT_INPUT_ERROR, "GroundingDINO", "--sam", Golden.gdinoSuite().resolve("gdino.pth")
                .toString(), "--image", image, "--box", "1,2,3,4");
        Path junk = Files.writeString(tmp.resolve("junk.pth"), "not a checkpoint");
        assertError(Gdino.EXIT_INPUT_ERROR, "junk.pth", "--sam", junk.toString(), "--image", image, "--box",
                "1,2,3,4");
    }

    @Test
    void demoWeightsAndReleaseNamesWorkLikeDetect(@TempDir Path tmp) {
        CliRun run = CliRun.of("segment", "--sam", SAM.toString(), "--image", TRUCK.toString(), "--weights", "demo",
                "--prompt", "truck . tire", "--box-threshold", "0.2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("random-weight demo model").doesNotContain("Checkpoint file not found");
        assertThat(run.err().lines().filter(l -> l.contains("random-weight")).count()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).contains("detection(s) for \"truck . tire.\"");
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        CliRun run = CliRun.of("segment", "--image", TRUCK.toString(), "--box", "1,2,3,4");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--sam");
    }

    @Test
    void sam21BoxesPointsAndGroundedSam2(@TempDir Path tmp) throws Exception {
        Path suite = Golden.dir().resolve("sam2/sam2.1-tiny_seed0");
        Path raw = tmp.resolve("raw.safetensors");
        // the golden groceries case "box_points": a box with a positive and a negative point
        CliRun run = CliRun.of("segment", "--sam", suite.resolve("sam2.1_tiny.pt").toString(), "--sam-config",
                suite.resolve("config.json").toString(), "--image", Golden.file("images/groceries.jpg").toString(),
                "--box", "100,100,500,450", "--point", "300,200,1", "--point", "150,420,0", "--dump-raw",
                raw.toString(), "--json", tmp.resolve("m.json").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(suite.resolve("cases/groceries/tensors.safetensors"));
        Map<String, GoldenTensors.Entry> dumped = GoldenTensors.read(raw);
        assertThat(TensorValues.maxAbsDiff(dumped.get("low_res_logits").asFloats(),
                golden.get("box_points_low_res_logits").asFloats())).isLessThan(1e-4);
        assertThat(TensorValues.maxAbsDiff(dumped.get("iou_predictions").asFloats(),
                golden.get("box_points_iou_predictions").asFloats())).isLessThan(1e-5);
        JsonNode doc = new ObjectMapper().readTree(tmp.resolve("m.json").toFile());
        assertThat(doc.get("sam_variant").asText()).isEqualTo("config.json");
        assertThat(doc.get("segmentations").get(0).get("points")).hasSize(2);

        // Grounded-SAM-2: GroundingDINO boxes, SAM 2.1 masks
        CliRun grounded = CliRun.of("segment", "--sam", suite.resolve("sam2.1_tiny.pt").toString(), "--sam-config",
                suite.resolve("config.json").toString(), "--image", TRUCK.toString(), "--weights", "demo",
                "--prompt", "truck . tire", "--box-threshold", "0.2", "--json", tmp.resolve("g.json").toString());
        assertThat(grounded.exitCode()).as(grounded.err()).isZero();
        JsonNode g = new ObjectMapper().readTree(tmp.resolve("g.json").toFile());
        java.util.regex.Matcher found = java.util.regex.Pattern.compile("(\\d+) detection\\(s\\) for \"truck . tire.\"")
                .matcher(grounded.out());
        assertThat(found.find()).as(grounded.out()).isTrue();
        assertThat(g.get("segmentations")).hasSize(Integer.parseInt(found.group(1)));
        for (JsonNode seg : g.get("segmentations")) {
            assertThat(seg.get("label").asText()).isNotBlank().doesNotContain("[SEP]");
            assertThat(seg.get("masks").get(0).get("rle").get("size").toString()).isEqualTo("[1200,1800]");
        }
    }
}
