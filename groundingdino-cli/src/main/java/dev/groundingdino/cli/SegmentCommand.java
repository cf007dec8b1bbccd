package dev.groundingdino.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.groundingdino.Box;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Prompt;
import dev.groundingdino.PromptException;
import dev.groundingdino.sam.CocoRle;
import dev.groundingdino.sam.GroundedMask;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.ImageEmbedding;
import dev.groundingdino.sam.Mask;
import dev.groundingdino.sam.MaskOverlay;
import dev.groundingdino.sam.MaskPrompt;
import dev.groundingdino.sam.Point;
import dev.groundingdino.sam.RawMasks;
import dev.groundingdino.sam.Segmentation;
import dev.groundingdino.sam.Segmenter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gdino segment}: Segment Anything masks for prompts given in pixels ({@code --box}, {@code --point}), or
 * Grounded-SAM for a text prompt ({@code --prompt}: GroundingDINO boxes, then SAM masks), with optional overlay and
 * mask PNGs, COCO-RLE JSON and the raw model outputs.
 */
@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Segments an image with Segment Anything or SAM 2.1, for boxes and points or a text prompt.",
                "",
                "One mask (or three with --multimask) per prompt. Prompts are given in pixels of the image: --box "
                        + "x0,y0,x1,y1 (top-left, bottom-right) and --point x,y,label (label 1 on the object, 0 on the "
                        + "background); points go with the box, or form one prompt on their own. With --prompt, "
                        + "GroundingDINO finds the boxes (Grounded-SAM; --weights as in gdino detect). Prints one "
                        + "line per prompt and per mask: predicted IoU, area and bounds."})
final class SegmentCommand implements Callable<Integer> {
    @Option(names = "--sam", required = true, paramLabel = "CHECKPOINT",
            description = "Segment Anything checkpoint (sam_vit_h_4b8939.pth, ...) or SAM 2.1 checkpoint "
                    + "(sam2.1_hiera_large.pt, ...), .pth/.pt or .safetensors.")
    Path sam;

    @Option(names = "--sam-config", paramLabel = "FILE",
            description = "Config of a SAM 2.1 checkpoint whose size is not one of the official four (the model node "
                    + "of its sam2.1_hiera_*.yaml as JSON).")
    Path samConfig;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "Image file (JPEG, PNG, ...).")
    Path image;

    @Option(names = "--box", paramLabel = "x0,y0,x1,y1",
            description = "A box prompt in pixels of the image; repeat for several boxes (segmented as one batch).")
    List<String> boxes = new ArrayList<>();

    @Option(names = "--point", paramLabel = "x,y,label",
            description = "A point prompt in pixels with its label (1 = on the object, 0 = background); repeat for "
                    + "several points. With one --box the points refine it; without --box they form one prompt.")
    List<String> points = new ArrayList<>();

    @Mixin
    ModelOptions detector;

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "Objects to find with GroundingDINO and segment, e.g. \"cat . dog\" (Grounded-SAM).")
    String prompt;

    @Option(names = "--box-threshold", paramLabel = "T",
            description = "With --prompt: keep boxes whose score is above T (default: ${DEFAULT-VALUE}).")
    double boxThreshold = Detector.DEFAULT_BOX_THRESHOLD;

    @Option(names = "--text-threshold", paramLabel = "T",
            description = "With --prompt: label tokens above T (default: ${DEFAULT-VALUE}).")
    double textThreshold = Detector.DEFAULT_TEXT_THRESHOLD;

    @Option(names = "--multimask", description = "Three alternative masks per prompt instead of one.")
    boolean multimask;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write overlay.png (best masks and boxes over the image) and one PNG per mask "
                    + "(mask_<prompt>.png, or mask_<prompt>_<k>.png with --multimask; 255 = mask).")
    Path out;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Write the masks as JSON: prompt, label, predicted IoU, area, bounds, COCO RLE; '-' for "
                    + "the standard output.")
    Path json;

    @Option(names = "--dump-raw", paramLabel = "FILE.safetensors",
            description = "Write low_res_logits (B, C, 256, 256) and iou_predictions (B, C): the mask decoder's "
                    + "outputs before upscaling.")
    Path dumpRaw;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch CPU threads (default: all cores).")
    int threads;

    @Spec
    CommandSpec spec;

    /** One prompt's row in the report: the label shown and, in prompt mode, its detection. */
    private record Row(String label, Detection detection) {}

    @Override
    public Integer call() {
        PrintWriter pw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // every input is checked before a model is loaded
        boolean promptMode = checkMode();
        if (!Files.isRegularFile(sam)) {
            throw new UsageException("--sam " + sam + ": no such file (give a Segment Anything checkpoint such as "
                    + "sam_vit_h_4b8939.pth)");
        }
        if (samConfig != null && !Files.isRegularFile(samConfig)) {
            throw new UsageException("--sam-config " + samConfig + ": no such file");
        }
        if (!Files.isRegularFile(image)) {
            throw new UsageException("--image " + image + ": no such file");
        }
        if (threads < 0) {
            throw new UsageException("--threads must be >= 0, got " + threads);
        }
        DetectCommand.checkThreshold("--box-threshold", boxThreshold);
        DetectCommand.checkThreshold("--text-threshold", textThreshold);
        List<MaskPrompt> given = promptMode ? List.of() : givenPrompts();
        if (!given.isEmpty()) {
            checkInside(given);
        }
        if (promptMode) {
            detector.check("gdino segment", err);
        } else {
            ModelOptions.checkDevice(detector.device(), detector.precision());
        }
        PrintWriter report = json != null && json.toString().equals("-") ? err : pw;
        Segmenter.Builder samBuilder = Segmenter.builder(sam).device(detector.device())
                .precision(detector.precision()).threads(threads);
        if (samConfig != null) {
            samBuilder.config(samConfig);
        }
        try (Segmenter segmenter = samBuilder.build()) {
            List<Row> rows = new ArrayList<>();
            List<MaskPrompt> prompts = new ArrayList<>(given);
            DetectionResult detections = null;
            if (promptMode) {
                detections = detect();
                for (Detection d : detections.detections()) {
                    prompts.add(MaskPrompt.of(GroundedSam.promptBox(d.box(), detections.width(),
                            detections.height())));
                    rows.add(new Row(d.caption(), d));
                }
                report.printf(Locale.ROOT, "%d detection(s) for \"%s\" at box threshold %s, text threshold %s%n",
                        detections.size(), detections.caption(), boxThreshold, textThreshold);
                if (detections.isEmpty()) {
                    report.println("nothing to segment; lower --box-threshold to keep weaker boxes");
                }
            } else {
                for (int i = 0; i < given.size(); i++) {
                    rows.add(new Row("prompt " + i, null));
                }
            }
            try (ImageEmbedding embedding = segmenter.embed(ImageInput.of(image))) {
                List<Segmentation> segs = prompts.isEmpty() ? List.of()
                        : !promptMode && prompts.size() == 1
                                ? List.of(segmenter.segment(embedding, prompts.get(0), multimask))
                                : segmenter.segment(embedding, prompts, multimask);
                print(report, segs, rows);
                if (out != null) {
                    writeImages(report, segs, rows, detections);
                }
                if (json != null) {
                    writeJson(pw, report, segs, rows, embedding.width(), embedding.height(), segmenter.variant());
                }
                if (dumpRaw != null) {
                    if (prompts.isEmpty()) {
                        report.println("no prompts: --dump-raw not written");
                    } else {
                        RawMasks raw = segmenter.rawOutputs(embedding, prompts, multimask);
                        Map<String, String> meta = new LinkedHashMap<>();
                        meta.put("image", image.toString());
                        meta.put("sam_variant", segmenter.variant());
                        meta.put("multimask_output", Boolean.toString(multimask));
                        raw.writeSafetensors(dumpRaw, meta);
                        report.println("wrote " + dumpRaw);
                    }
                }
            }
        }
        return 0;
    }

    /** True for prompt mode; rejects missing or contradictory options. */
    private boolean checkMode() {
        boolean anyPrompt = prompt != null;
        if (anyPrompt && (!boxes.isEmpty() || !points.isEmpty())) {
            throw new UsageException("give either --box/--point (prompts in pixels) or --prompt (boxes found by "
                    + "GroundingDINO), not both");
        }
        if (anyPrompt && prompt.isBlank()) {
            throw new UsageException("--prompt is empty; name the objects to find, e.g. --prompt \"cat . dog\"");
        }
        if (!anyPrompt && boxes.isEmpty() && points.isEmpty()) {
            throw new UsageException("nothing to segment: pass --box x0,y0,x1,y1 or --point x,y,label in pixels of "
                    + "the image (repeat them for several), or --prompt TEXT to find the boxes with GroundingDINO");
        }
        if (!anyPrompt && (detector.weights != null || detector.config != null)) {
            throw new UsageException("--weights and --config need --prompt: they choose the GroundingDINO model that "
                    + "finds the boxes; with --box/--point, leave them out");
        }
        if (!anyPrompt && boxes.size() > 1 && !points.isEmpty()) {
            throw new UsageException("--point goes with one --box (refining it) or with none; with " + boxes.size()
                    + " boxes, segment the points in another call");
        }
        return anyPrompt;
    }

    private DetectionResult detect() {
        Detector.Builder builder = detector.detectorBuilder().boxThreshold(boxThreshold).textThreshold(textThreshold);
        try (Detector d = builder.build()) {
            return d.detect(ImageInput.of(image), Prompt.text(prompt));
        }
    }

    /** The prompts of --box and --point: one per box (points refining a single box), or one of points alone. */
    private List<MaskPrompt> givenPrompts() {
        List<Point> pts = new ArrayList<>();
        for (String s : points) {
            pts.add(parsePoint(s));
        }
        List<MaskPrompt> out = new ArrayList<>();
        if (boxes.isEmpty()) {
            out.add(new MaskPrompt(null, pts));
            return out;
        }
        for (String s : boxes) {
            out.add(new MaskPrompt(parseBox(s), pts));
        }
        return out;
    }

    /** Rejects prompts outside the image, read from the file's header (the library would say it in Java terms). */
    private void checkInside(List<MaskPrompt> prompts) {
        int[] size = imageSize(image);
        if (size == null) {
            return; // a format ImageIO cannot size: the segmenter checks it
        }
        for (int i = 0; i < prompts.size(); i++) {
            MaskPrompt p = prompts.get(i);
            if (!p.isInside(size[0], size[1])) {
                throw new UsageException((p.box() != null ? "--box " + boxes.get(i) : "--point")
                        + " is not inside the " + size[0] + "x" + size[1] + " (WxH) image: coordinates must be in [0, "
                        + size[0] + "] x [0, " + size[1] + "]");
            }
        }
    }

    /** (width, height) from the image file's header, or null if ImageIO cannot read it. */
    static int[] imageSize(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                return null;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code "x0,y0,x1,y1"} (spaces allowed) to a {@link Box}, every problem named in --box terms. */
    static Box parseBox(String s) {
        double[] v = numbers("--box", s, 4, "x0,y0,x1,y1 (pixels, top-left then bottom-right), e.g. --box "
                + "425,600,700,875");
        if (v[2] < v[0] || v[3] < v[1]) {
            throw new UsageException("--box " + s + " is inverted: give x0,y0,x1,y1 with x0 <= x1 and y0 <= y1 "
                    + "(top-left, then bottom-right corner)");
        }
        try {
            return new Box(v[0], v[1], v[2], v[3]);
        } catch (PromptException e) {
            throw new UsageException("--box " + s + ": give four finite numbers x0,y0,x1,y1");
        }
    }

    /** {@code "x,y,label"} to a {@link Point}, label 1 (object) or 0 (background). */
    static Point parsePoint(String s) {
        double[] v = numbers("--point", s, 3, "x,y,label with label 1 (on the object) or 0 (background), e.g. "
                + "--point 500,375,1");
        if (v[2] != 0 && v[2] != 1) {
            throw new UsageException("--point " + s + ": the label must be 1 (on the object) or 0 (background)");
        }
        return new Point(v[0], v[1], v[2] == 1);
    }

    private static double[] numbers(String flag, String s, int count, String expected) {
        String[] parts = s.trim().split("\\s*,\\s*", -1);
        if (parts.length != count) {
            throw new UsageException(flag + " '" + s + "' must be " + count + " numbers " + expected);
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            try {
                v[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw new UsageException(flag + " '" + s + "': '" + parts[i] + "' is not a number; give " + expected);
            }
            if (!Double.isFinite(v[i])) {
                throw new UsageException(flag + " '" + s + "': '" + parts[i] + "' is not a finite number");
            }
        }
        return v;
    }

    /** The Grounded-SAM view of prompt mode, built like {@link GroundedSam#run} builds it (for the overlay). */
    private static GroundedSamResult grounded(DetectionResult detections, List<Segmentation> segs) {
        List<GroundedMask> masks = new ArrayList<>();
        for (int i = 0; i < segs.size(); i++) {
            Segmentation s = segs.get(i);
            masks.add(new GroundedMask(detections.detections().get(i), s.prompt().box(), s.best()));
        }
        return new GroundedSamResult(detections, masks);
    }

    private static void print(PrintWriter pw, List<Segmentation> segs, List<Row> rows) {
        for (int i = 0; i < segs.size(); i++) {
            Segmentation s = segs.get(i);
            Box p = s.prompt().box();
            pw.printf(Locale.ROOT, "%s%s%s%n", rows.get(i).label(), p == null ? "" : String.format(Locale.ROOT,
                    " [%.1f, %.1f, %.1f, %.1f]", p.x0(), p.y0(), p.x1(), p.y1()),
                    s.prompt().points().isEmpty() ? "" : " points " + describe(s.prompt().points()));
            for (int j = 0; j < s.masks().size(); j++) {
                Mask m = s.masks().get(j);
                Box b = m.bounds();
                pw.printf(Locale.ROOT, "  mask %d: iou %.4f  area %d  bounds [%d, %d, %d, %d]%s%n", j,
                        m.predictedIou(), m.area(), (int) b.x0(), (int) b.y0(), (int) b.x1(), (int) b.y1(),
                        s.masks().size() > 1 && m == s.best() ? "  (best)" : "");
            }
        }
    }

    private static String describe(List<Point> points) {
        StringBuilder sb = new StringBuilder();
        for (Point p : points) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "(%.1f, %.1f, %d)", p.x(), p.y(),
                    p.label()));
        }
        return sb.toString();
    }

    private void writeImages(PrintWriter report, List<Segmentation> segs, List<Row> rows,
            DetectionResult detections) {
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
                Box box = s.prompt().box() != null ? s.prompt().box() : s.best().bounds();
                items.add(new MaskOverlay.Item(s.best().bitmap(), box, rows.get(i).label()
                        + String.format(Locale.ROOT, " iou %.2f", s.best().predictedIou()), MaskOverlay.paletteColor(i)));
            }
        }
        Path overlay = out.resolve("overlay.png");
        MaskOverlay.write(image, items, overlay);
        report.println("wrote " + overlay + " and " + written + " mask PNG(s) to " + out);
    }

    private void writeJson(PrintWriter stdout, PrintWriter report, List<Segmentation> segs, List<Row> rows, int width,
            int height, String variant) {
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
            if (s.prompt().box() != null) {
                seg.put("box", xyxy(s.prompt().box()));
            }
            if (!s.prompt().points().isEmpty()) {
                List<double[]> pts = new ArrayList<>();
                for (Point p : s.prompt().points()) {
                    pts.add(new double[] {p.x(), p.y(), p.label()});
                }
                seg.put("points", pts);
            }
            if (row.detection() != null) {
                seg.put("label", row.detection().label());
                seg.put("phrase", row.detection().phrase()); // the reference's phrase, special tokens included
                seg.put("score", row.detection().score());
                seg.put("detection_box", xyxy(row.detection().box()));
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
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            if (json.toString().equals("-")) {
                stdout.println(mapper.writeValueAsString(doc));
                stdout.flush();
                return;
            }
            Path file = json.toAbsolutePath();
            createDirectories(file.getParent());
            mapper.writeValue(file.toFile(), doc);
        } catch (IOException e) {
            throw new ImageException("Could not write " + json.toAbsolutePath() + ": " + e.getMessage()
                    + ". Check that the folder is writable.", e);
        }
        report.println("wrote " + json);
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
