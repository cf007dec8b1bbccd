package dev.groundingdino.cli;

import dev.groundingdino.Annotator;
import dev.groundingdino.ClassMatching;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ExportSummary;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.NmsMode;
import dev.groundingdino.RawOutputs;
import dev.groundingdino.internal.hub.DemoWeights;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gdino detect}: GroundingDINO on one image or a folder, like the reference's {@code load_model} +
 * {@code predict} + {@code annotate}: prints the detections, and optionally writes annotated images, JSON, a COCO
 * or YOLO dataset (auto-labelling) and the raw head outputs.
 */
@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Finds the objects named by a text prompt (\"cat . dog\") in an image or in every image of a ",
                "folder, with GroundingDINO. Prints one line per image (\"<file>: Found N objects\") and one per ",
                "detection: label, score, box (x0, y0, x1, y1) in pixels.",
                "",
                "--weights takes a .pth/.safetensors file, a release name (groundingdino_swint_ogc, ",
                "groundingdino_swinb_cogcoor: looked up in ~/.cache/groundingdino, with --download fetched there) or ",
                "'demo': a random-weight demo model that runs offline but finds nothing meaningful. Without --weights ",
                "the Swin-T OGC release is used when it is in the cache, else the demo model (with a warning)."})
final class DetectCommand implements Callable<Integer> {
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif",
            ".tiff", ".ppm", ".pgm");

    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    /** Exactly one image source. */
    static final class Input {
        @Option(names = "--image", paramLabel = "I", description = "an image file (JPEG, PNG, ...)")
        Path image;

        @Option(names = "--dir", paramLabel = "D",
                description = "a folder: every " + "*.jpg, *.jpeg, *.png, *.bmp, *.webp, *.tif(f) in it (not recursive)")
        Path dir;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Query query;

    /** A free prompt or a class list. */
    static final class Query {
        @Option(names = "--prompt", paramLabel = "P", description = "what to find, e.g. \"cat . dog\"")
        String prompt;

        @Option(names = "--classes", paramLabel = "C1,C2", split = ",",
                description = "a class list instead of a prompt (the reference's predict_with_classes): detections "
                        + "get class ids, datasets use these categories")
        List<String> classes;
    }

    @Option(names = "--box-threshold", paramLabel = "B", description = "keep boxes scoring above B (default 0.35)")
    double boxThreshold = Detector.DEFAULT_BOX_THRESHOLD;

    @Option(names = "--text-threshold", paramLabel = "T",
            description = "label tokens scoring above T (default 0.25)")
    double textThreshold = Detector.DEFAULT_TEXT_THRESHOLD;

    @Option(names = "--remove-combined", description = "the reference's remove_combined: one sub-phrase per label")
    boolean removeCombined;

    @Option(names = "--class-matching", paramLabel = "M",
            description = "with --classes: REFERENCE (phrases2classes, default) or TOKEN_SPANS (each class scored by "
                    + "its own tokens)")
    ClassMatching classMatching = ClassMatching.REFERENCE;

    @Option(names = "--nms", paramLabel = "IOU",
            description = "non-maximum suppression per label at this IoU (off by default, like the reference)")
    Double nmsIou;

    @Option(names = "--out", paramLabel = "DIR", description = "write annotated images (boxes and labels) here")
    Path out;

    @Option(names = "--json", paramLabel = "F",
            description = "write the detections as JSON (an object for --image, an array for --dir)")
    Path json;

    @Option(names = "--coco", paramLabel = "F", description = "write a COCO instances file (auto-labelling)")
    Path coco;

    @Option(names = "--yolo", paramLabel = "DIR", description = "write YOLO labels (classes.txt + one .txt per image)")
    Path yolo;

    @Option(names = "--dump-raw", paramLabel = "F.safetensors",
            description = "with --image: write pred_logits [1, Q, 256] and pred_boxes [1, Q, 4] as safetensors")
    Path dumpRaw;

    @Option(names = "--batch-size", paramLabel = "N",
            description = "with --dir: images per forward pass (default ${DEFAULT-VALUE})")
    int batchSize = 1;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter pw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (dumpRaw != null && input.image == null) {
            throw new IllegalArgumentException("--dump-raw works with --image only (one image's raw outputs)");
        }
        List<Path> images = images();
        try (Detector detector = builder(err).build()) {
            if (detector.isDemo()) {
                err.println("note: " + DemoWeights.NOTICE);
            }
            Map<String, DetectionResult> results = new LinkedHashMap<>();
            Map<String, Path> files = new LinkedHashMap<>();
            int failed = 0;
            for (int start = 0; start < images.size(); start += batchSize) {
                List<Path> chunk = images.subList(start, Math.min(images.size(), start + batchSize));
                if (input.dir != null) {
                    err.printf(Locale.ROOT, "[%d/%d] %s%n", start + chunk.size(), images.size(),
                            chunk.get(chunk.size() - 1).getFileName());
                }
                List<DetectionResult> chunkResults;
                try {
                    chunkResults = detect(detector, chunk);
                } catch (ImageException e) {
                    if (input.image != null) {
                        throw e;
                    }
                    // one unreadable file must not stop a folder: run the chunk image by image, skipping it
                    chunkResults = new ArrayList<>();
                    List<Path> readable = new ArrayList<>();
                    for (Path file : chunk) {
                        try {
                            chunkResults.add(detect(detector, List.of(file)).get(0));
                            readable.add(file);
                        } catch (ImageException bad) {
                            failed++;
                            err.println(file.getFileName() + ": skipped: " + bad.getMessage());
                        }
                    }
                    chunk = readable;
                }
                for (int i = 0; i < chunk.size(); i++) {
                    Path file = chunk.get(i);
                    String name = input.dir != null ? input.dir.relativize(file).toString() : file.toString();
                    results.put(name, chunkResults.get(i));
                    files.put(name, file);
                    print(pw, name, chunkResults.get(i));
                    if (out != null) {
                        Annotator.write(file, chunkResults.get(i), out.resolve(annotatedName(file)));
                    }
                }
            }
            writeOutputs(pw, results, detector);
            if (out != null) {
                pw.println("annotated images written to " + out);
            }
            if (failed > 0) {
                err.println("gdino: " + failed + " of " + images.size() + " images could not be read (see above)");
                return Gdino.EXIT_INPUT_ERROR;
            }
        }
        return 0;
    }

    private List<DetectionResult> detect(Detector detector, List<Path> chunk) {
        List<ImageInput> inputs = ImageInput.files(chunk);
        if (query.classes != null) {
            return detector.detect(inputs, classes(), null);
        }
        return detector.detect(inputs, query.prompt);
    }

    private List<String> classes() {
        List<String> classes = new ArrayList<>();
        for (String c : query.classes) {
            classes.add(c.strip());
        }
        return classes;
    }

    private Detector.Builder builder(PrintWriter err) {
        Detector.Builder b = model.detectorBuilder("gdino", err).boxThreshold(boxThreshold)
                .textThreshold(textThreshold).removeCombined(removeCombined).classMatching(classMatching);
        if (nmsIou != null) {
            b.nms(NmsMode.PER_LABEL, nmsIou);
        }
        return b;
    }

    private List<Path> images() throws IOException {
        if (input.image != null) {
            return List.of(input.image);
        }
        Path dir = input.dir;
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--dir " + dir.toAbsolutePath() + " is not a folder");
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (Files.isRegularFile(p) && IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith)) {
                    found.add(p);
                }
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no images (" + String.join(", ", IMAGE_EXTENSIONS) + ") in "
                    + dir.toAbsolutePath());
        }
        found.sort(null);
        return found;
    }

    private static void print(PrintWriter pw, String name, DetectionResult r) {
        pw.printf(Locale.ROOT, "%s: Found %d object%s%n", name, r.size(), r.size() == 1 ? "" : "s");
        for (Detection d : r.detections()) {
            pw.printf(Locale.ROOT, "  %-24s %.3f  [%.1f, %.1f, %.1f, %.1f]%s%n", "\"" + d.label() + "\"", d.score(),
                    d.box().x0(), d.box().y0(), d.box().x1(), d.box().y1(),
                    r.classes().isEmpty() ? "" : d.hasClass() ? "  class " + d.classId() + " ("
                            + r.classes().get(d.classId()) + ")" : "  no class");
        }
    }

    /** The annotated file's name: the input's name, as JPEG unless it is a PNG. */
    static String annotatedName(Path file) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg") || lower.endsWith(".png")) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + ".jpg";
    }

    private void writeOutputs(PrintWriter pw, Map<String, DetectionResult> results, Detector detector) {
        if (json != null) {
            if (input.image != null) {
                Map.Entry<String, DetectionResult> only = results.entrySet().iterator().next();
                DetectionExport.writeJson(json, only.getKey(), only.getValue());
            } else {
                DetectionExport.writeJson(json, results);
            }
            pw.println("wrote " + json);
        }
        List<String> categories = query.classes != null ? classes() : null;
        if (coco != null) {
            ExportSummary s = DetectionExport.writeCoco(coco, results, categories);
            pw.printf(Locale.ROOT, "wrote %s: %d images, %d annotations, %d categories%s%n", coco, s.images(),
                    s.annotations(), s.categories().size(), s.skipped() > 0 ? " (" + s.skipped()
                            + " detections without a category skipped)" : "");
        }
        if (yolo != null) {
            ExportSummary s = DetectionExport.writeYolo(yolo, results, categories);
            pw.printf(Locale.ROOT, "wrote %s: %d label files, %d boxes, classes %s%s%n", yolo, s.images(),
                    s.annotations(), s.categories(), s.skipped() > 0 ? " (" + s.skipped()
                            + " detections without a category skipped)" : "");
        }
        if (dumpRaw != null) {
            String prompt = query.prompt != null ? query.prompt : String.join(". ", classes());
            RawOutputs raw = detector.rawOutputs(ImageInput.of(input.image), prompt);
            writeRaw(dumpRaw, raw, input.image);
            pw.println("wrote " + dumpRaw + " (pred_logits [1, " + raw.queries() + ", " + raw.textSlots()
                    + "], pred_boxes [1, " + raw.queries() + ", 4])");
        }
    }

    @SuppressWarnings("try") // the scope frees the tensors; it is not referenced
    static void writeRaw(Path file, RawOutputs raw, Path image) {
        Natives.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("pred_logits", torch.tensor(raw.logits()).view(1, raw.queries(), raw.textSlots()));
            tensors.put("pred_boxes", torch.tensor(raw.boxes()).view(1, raw.queries(), 4));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("image", image.toString());
            meta.put("caption", raw.caption());
            meta.put("image_size_wh", Arrays.toString(new int[] {raw.width(), raw.height()}));
            SafetensorsWriter.write(file, tensors, meta);
        }
    }
}
