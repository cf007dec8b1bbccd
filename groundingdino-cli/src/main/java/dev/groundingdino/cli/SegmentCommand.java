package dev.groundingdino.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageException;
import dev.groundingdino.Precision;
import dev.groundingdino.sam.Box;
import dev.groundingdino.sam.CocoRle;
import dev.groundingdino.sam.GroundedMask;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.ImageEmbedding;
import dev.groundingdino.sam.Mask;
import dev.groundingdino.sam.MaskOverlay;
import dev.groundingdino.sam.Segmentation;
import dev.groundingdino.sam.Segmenter;
import dev.groundingdino.sam.internal.SegmenterInternals;
import dev.groundingdino.sam.internal.SegmenterInternals.RawSegmentation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gdino segment}: Segment Anything masks for boxes given in pixels ({@code --box}), or Grounded-SAM for a text
 * prompt ({@code --weights --prompt}: GroundingDINO boxes, then SAM masks), with optional overlay and mask PNGs,
 * COCO-RLE JSON and the raw model outputs.
 */
@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Segments an image with Segment Anything: one mask (or three with --multimask) per box, the ",
                "boxes given with --box in pixels of the image (x0,y0 top-left, x1,y1 bottom-right), or found by ",
                "GroundingDINO for a text prompt (--weights and --prompt: Grounded-SAM). Prints one line per box and ",
                "per mask: predicted IoU, area and bounds."})
final class SegmentCommand implements Callable<Integer> {
    @Option(names = "--sam", required = true, paramLabel = "CHECKPOINT",
            description = "Segment Anything checkpoint (.pth such as sam_vit_h_4b8939.pth, or .safetensors)")
    Path sam;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "image file (JPEG, PNG, ...)")
    Path image;

    @Option(names = "--box", paramLabel = "x0,y0,x1,y1",
            description = "a box prompt in pixels of the image; repeat for several boxes (segmented as one batch)")
    List<String> boxes = new ArrayList<>();

    @Option(names = "--weights", paramLabel = "CHECKPOINT",
            description = "GroundingDINO checkpoint that finds the boxes for --prompt")
    Path weights;

    @Option(names = "--config", paramLabel = "FILE",
            description = "GroundingDINO config (.py or .json), only for checkpoints whose size is not recognised")
    Path config;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "objects to find and segment, e.g. \"cat . dog\"")
    String prompt;

    @Option(names = "--box-threshold", paramLabel = "T",
            description = "with --prompt: keep boxes whose score is above T (default: ${DEFAULT-VALUE})")
    double boxThreshold = Detector.DEFAULT_BOX_THRESHOLD;

    @Option(names = "--text-threshold", paramLabel = "T",
            description = "with --prompt: label tokens above T (default: ${DEFAULT-VALUE})")
    double textThreshold = Detector.DEFAULT_TEXT_THRESHOLD;

    @Option(names = "--multimask", description = "three alternative masks per box instead of one")
    boolean multimask;

    @Option(names = "--out", paramLabel = "DIR",
            description = "write overlay.png (best masks and boxes over the image) and one PNG per mask "
                    + "(mask_<box>.png, or mask_<box>_<k>.png with --multimask; 255 = mask)")
    Path out;

    @Option(names = "--json", paramLabel = "FILE",
            description = "write the masks as JSON: box, label, predicted IoU, area, bounds, COCO RLE")
    Path json;

    @Option(names = "--dump-raw", paramLabel = "FILE.safetensors",
            description = "write boxes, boxes_transformed, low_res_logits (B, C, 256, 256) and iou_predictions "
                    + "(B, C): the mask decoder's outputs before upscaling")
    Path dumpRaw;

    @Option(names = "--precision", paramLabel = "P",
            description = "FP32 (default) or BF16: the SAM image encoder's precision, and GroundingDINO's with "
                    + "--weights")
    Precision precision = Precision.FP32;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch CPU threads (default: all cores)")
    int threads;

    @Spec
    CommandSpec spec;

    /** One box's row in the report: the label shown and, in prompt mode, its detection. */
    private record Row(String label, Detection detection) {}

    @Override
    public Integer call() {
        boolean promptMode = checkMode();
        List<Box> given = promptMode ? List.of() : parseBoxes();
        PrintWriter pw = spec.commandLine().getOut();
        try (Segmenter segmenter = Segmenter.builder(sam).precision(precision).threads(threads).build()) {
            List<Row> rows = new ArrayList<>();
            List<Box> prompts = new ArrayList<>(given);
            DetectionResult detections = null;
            if (promptMode) {
                detections = detect();
                for (Detection d : detections.detections()) {
                    prompts.add(GroundedSam.promptBox(d.box(), detections.width(), detections.height()));
                    rows.add(new Row(d.caption(), d));
                }
                pw.printf(Locale.ROOT, "%d detection(s) for \"%s\" at box threshold %s, text threshold %s%n",
                        detections.size(), detections.caption(), boxThreshold, textThreshold);
                if (detections.isEmpty()) {
                    pw.println("nothing to segment; lower --box-threshold to keep weaker boxes");
                }
            } else {
                for (int i = 0; i < given.size(); i++) {
                    rows.add(new Row("box " + i, null));
                }
            }
            try (ImageEmbedding embedding = segmenter.embed(image)) {
                RawSegmentation result = segment(segmenter, embedding, prompts, promptMode);
                List<Segmentation> segs = result == null ? List.of() : result.segmentations();
                print(segs, rows);
                if (out != null) {
                    writeImages(segs, rows, detections);
                }
                if (json != null) {
                    writeJson(segs, rows, embedding.width(), embedding.height(), segmenter.variant());
                }
                if (dumpRaw != null) {
                    if (result == null) {
                        pw.println("no boxes: --dump-raw not written");
                    } else {
                        Map<String, String> meta = new LinkedHashMap<>();
                        meta.put("image", image.toString());
                        meta.put("sam_variant", segmenter.variant());
                        meta.put("multimask_output", Boolean.toString(multimask));
                        result.raw().writeSafetensors(dumpRaw, meta);
                        pw.println("wrote " + dumpRaw);
                    }
                }
            }
        }
        return 0;
    }

    /** True for prompt mode; rejects missing or contradictory options. */
    private boolean checkMode() {
        boolean anyPrompt = weights != null || prompt != null || config != null;
        if (anyPrompt && !boxes.isEmpty()) {
            throw new IllegalArgumentException("give either --box (boxes in pixels) or --weights with --prompt "
                    + "(boxes found by GroundingDINO), not both");
        }
        if (anyPrompt && (weights == null || prompt == null)) {
            throw new IllegalArgumentException(weights == null
                    ? (prompt == null ? "--config" : "--prompt")
                            + " needs --weights: the GroundingDINO checkpoint that finds the boxes"
                    : "--weights needs --prompt: the objects to find, e.g. --prompt \"cat . dog\"");
        }
        if (!anyPrompt && boxes.isEmpty()) {
            throw new IllegalArgumentException("nothing to segment: pass at least one --box x0,y0,x1,y1 in pixels of "
                    + "the image (repeat --box for several), or --weights W --prompt P to find the boxes");
        }
        return anyPrompt;
    }

    private DetectionResult detect() {
        Detector.Builder builder = Detector.builder(weights).boxThreshold(boxThreshold).textThreshold(textThreshold)
                .precision(precision);
        if (config != null) {
            builder.config(config);
        }
        try (Detector detector = builder.build()) {
            return detector.detect(image, prompt);
        }
    }

    /** One --box: SamPredictor.predict; several, or detector boxes: the batched predict_torch; none: null. */
    private RawSegmentation segment(Segmenter segmenter, ImageEmbedding embedding, List<Box> prompts,
            boolean promptMode) {
        if (prompts.isEmpty()) {
            return null;
        }
        if (!promptMode && prompts.size() == 1) {
            return SegmenterInternals.segmentWithRaw(segmenter, embedding, prompts.get(0), multimask);
        }
        return SegmenterInternals.segmentWithRaw(segmenter, embedding, prompts, multimask);
    }

    private List<Box> parseBoxes() {
        List<Box> out = new ArrayList<>();
        for (String s : boxes) {
            out.add(parseBox(s));
        }
        return out;
    }

    /** {@code "x0,y0,x1,y1"} (spaces allowed) to a {@link Box}; inverted or non-finite boxes throw from Box. */
    static Box parseBox(String s) {
        String[] parts = s.trim().split("\\s*,\\s*", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("--box '" + s + "' must be four numbers x0,y0,x1,y1 (pixels, top-left "
                    + "then bottom-right), e.g. --box 425,600,700,875");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--box '" + s + "': '" + parts[i] + "' is not a number; give four "
                        + "numbers x0,y0,x1,y1, e.g. --box 425,600,700,875");
            }
        }
        return new Box(v[0], v[1], v[2], v[3]);
    }

    /** The Grounded-SAM view of prompt mode, built like {@link GroundedSam#run} builds it (for the overlay). */
    private static GroundedSamResult grounded(DetectionResult detections, List<Segmentation> segs) {
        List<GroundedMask> masks = new ArrayList<>();
        for (int i = 0; i < segs.size(); i++) {
            Segmentation s = segs.get(i);
            masks.add(new GroundedMask(detections.detections().get(i), s.prompt(), s.best()));
        }
        return new GroundedSamResult(detections, masks);
    }

    private void print(List<Segmentation> segs, List<Row> rows) {
        PrintWriter pw = spec.commandLine().getOut();
        for (int i = 0; i < segs.size(); i++) {
            Segmentation s = segs.get(i);
            Box p = s.prompt();
            pw.printf(Locale.ROOT, "%s [%.1f, %.1f, %.1f, %.1f]%n", rows.get(i).label(), p.x0(), p.y0(), p.x1(),
                    p.y1());
            for (int j = 0; j < s.masks().size(); j++) {
                Mask m = s.masks().get(j);
                Box b = m.bounds();
                pw.printf(Locale.ROOT, "  mask %d: iou %.4f  area %d  bounds [%d, %d, %d, %d]%s%n", j,
                        m.predictedIou(), m.area(), (int) b.x0(), (int) b.y0(), (int) b.x1(), (int) b.y1(),
                        s.masks().size() > 1 && m == s.best() ? "  (best)" : "");
            }
        }
    }

    private void writeImages(List<Segmentation> segs, List<Row> rows, DetectionResult detections) {
        createDirectories(out);
        int written = 0;
        for (int i = 0; i < segs.size(); i++) {
            Segmentation s = segs.get(i);
            for (int j = 0; j < s.masks().size(); j++) {
                String name = s.masks().size() == 1 ? "mask_" + i + ".png" : "mask_" + i + "_" + j + ".png";
                s.masks().get(j).bitmap().writePng(out.resolve(name));
                written++;
            }
        }
        List<MaskOverlay.Item> items;
        if (detections != null) {
            items = grounded(detections, segs).overlayItems();
        } else {
            items = new ArrayList<>();
            for (int i = 0; i < segs.size(); i++) {
                Segmentation s = segs.get(i);
                items.add(new MaskOverlay.Item(s.best().bitmap(), s.prompt(), rows.get(i).label()
                        + String.format(Locale.ROOT, " iou %.2f", s.best().predictedIou()), MaskOverlay.paletteColor(i)));
            }
        }
        Path overlay = out.resolve("overlay.png");
        MaskOverlay.write(image, items, overlay);
        spec.commandLine().getOut().println("wrote " + overlay + " and " + written + " mask PNG(s) to " + out);
    }

    private void writeJson(List<Segmentation> segs, List<Row> rows, int width, int height, String variant) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("image", image.toString());
        doc.put("width", width);
        doc.put("height", height);
        doc.put("sam_variant", variant);
        doc.put("multimask_output", multimask);
        if (prompt != null) {
            doc.put("prompt", prompt);
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < segs.size(); i++) {
            Segmentation s = segs.get(i);
            Row row = rows.get(i);
            Map<String, Object> seg = new LinkedHashMap<>();
            seg.put("box", xyxy(s.prompt()));
            if (row.detection() != null) {
                seg.put("label", row.detection().label());
                seg.put("score", row.detection().score());
                seg.put("detection_box", new double[] {row.detection().box().x0(), row.detection().box().y0(),
                    row.detection().box().x1(), row.detection().box().y1()});
            }
            seg.put("best", s.masks().indexOf(s.best()));
            List<Map<String, Object>> masks = new ArrayList<>();
            for (Mask m : s.masks()) {
                Map<String, Object> mj = new LinkedHashMap<>();
                mj.put("predicted_iou", m.predictedIou());
                mj.put("area", m.area());
                mj.put("bounds", xyxy(m.bounds()));
                CocoRle rle = m.toRle();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("size", rle.size());
                r.put("counts", rle.toCompressedString());
                mj.put("rle", r);
                masks.add(mj);
            }
            seg.put("masks", masks);
            list.add(seg);
        }
        doc.put("segmentations", list);
        Path file = json.toAbsolutePath();
        createDirectories(file.getParent());
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        } catch (IOException e) {
            throw new ImageException("Could not write " + file + ": " + e.getMessage()
                    + ". Check that the folder is writable.", e);
        }
        spec.commandLine().getOut().println("wrote " + json);
    }

    private static double[] xyxy(Box b) {
        return new double[] {b.x0(), b.y0(), b.x1(), b.y1()};
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ImageException("Could not create the output folder " + dir.toAbsolutePath() + ": " + e
                    + ". Choose a writable location.", e);
        }
    }
}
