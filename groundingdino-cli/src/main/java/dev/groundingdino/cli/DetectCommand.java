package dev.groundingdino.cli;

import dev.groundingdino.Annotator;
import dev.groundingdino.BatchProgress;
import dev.groundingdino.ClassMatching;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ExportSummary;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.NmsMode;
import dev.groundingdino.Prompt;
import dev.groundingdino.PromptException;
import dev.groundingdino.RawOutputs;
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
@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Finds the objects a text prompt names in an image or a folder of images.",
                "",
                "Prints one line per image (\"<file>: Found N objects\") and one per detection: label, score and box "
                        + "(x0, y0, x1, y1) in pixels. Optionally writes annotated images, JSON, a COCO or YOLO "
                        + "dataset (auto-labelling) and the model's raw outputs.",
                "",
                "--weights takes a .pth/.safetensors file, a Hugging Face model folder, a name listed by "
                        + "'gdino models' (groundingdino_swint_ogc, llmdet_tiny, ...: looked up in the caches, fetched "
                        + "with --download) or 'demo': a random-weight demo model that runs offline but finds nothing "
                        + "meaningful. Without --weights the Swin-T OGC release is used when it is in the cache, else "
                        + "the demo model.",
                "",
                "A class list (--classes, --classes-file) gives every detection a class id; with TOKEN_SPANS "
                        + "matching (the default for --classes-file) a list of any length runs in chunks the model "
                        + "sees whole, and the JSON reports them."})
final class DetectCommand implements Callable<Integer> {
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif",
            ".tiff", ".ppm", ".pgm");

    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    /** Exactly one image source. */
    static final class Input {
        @Option(names = "--image", paramLabel = "I", description = "An image file (JPEG, PNG, ...).")
        Path image;

        @Option(names = "--dir", paramLabel = "D",
                description = "A folder: every *.jpg, *.jpeg, *.png, *.bmp, *.webp, *.tif(f) in it (not recursive).")
        Path dir;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Query query;

    /** A free prompt or a class list. */
    static final class Query {
        @Option(names = "--prompt", paramLabel = "P", description = "What to find, e.g. \"cat . dog\".")
        String prompt;

        @Option(names = "--classes", paramLabel = "C1,C2", split = ",",
                description = "A class list instead of a prompt (the reference's predict_with_classes): detections "
                        + "get class ids, datasets use these categories.")
        List<String> classes;

        @Option(names = "--classes-file", paramLabel = "F",
                description = "A class list from a UTF-8 text file, one class per line (blank lines and lines "
                        + "starting with '#' skipped), of any length: matched with TOKEN_SPANS unless "
                        + "--class-matching says otherwise, a list over the model's 256 tokens runs in chunks.")
        Path classesFile;
    }

    @Option(names = "--box-threshold", paramLabel = "B", description = "Keep boxes scoring above B (default 0.35).")
    double boxThreshold = Detector.DEFAULT_BOX_THRESHOLD;

    @Option(names = "--text-threshold", paramLabel = "T",
            description = "Label tokens scoring above T (default 0.25).")
    double textThreshold = Detector.DEFAULT_TEXT_THRESHOLD;

    @Option(names = "--remove-combined", description = "The reference's remove_combined: one sub-phrase per label.")
    boolean removeCombined;

    @Option(names = "--class-matching", paramLabel = "M",
            description = "With a class list: REFERENCE (phrases2classes; the model sees the first 256 tokens; "
                    + "default for --classes) or TOKEN_SPANS (each class scored by its own tokens; lists of any "
                    + "length, split into chunks of at most 256 tokens; default for --classes-file).")
    ClassMatching classMatching;

    @Option(names = "--nms", paramLabel = "IOU",
            description = "Non-maximum suppression per label at this IoU (off by default, like the reference).")
    Double nmsIou;

    @Option(names = "--out", paramLabel = "DIR", description = "Write annotated images (boxes and labels) here.")
    Path out;

    @Option(names = "--json", paramLabel = "F",
            description = "Write the detections as JSON (an object for --image, an array for --dir); '-' for the "
                    + "standard output.")
    Path json;

    @Option(names = "--coco", paramLabel = "F", description = "Write a COCO instances file (auto-labelling); '-' for the standard output.")
    Path coco;

    @Option(names = "--yolo", paramLabel = "DIR", description = "Write YOLO labels (classes.txt + one .txt per image).")
    Path yolo;

    @Option(names = "--dump-raw", paramLabel = "F.safetensors",
            description = "With --image: write pred_logits [1, Q, 256] and pred_boxes [1, Q, 4] as safetensors.")
    Path dumpRaw;

    @Option(names = "--batch-size", paramLabel = "N",
            description = "With --dir: images per forward pass (default ${DEFAULT-VALUE}); larger batches use a GPU "
                    + "better.")
    int batchSize = 1;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch CPU threads (default: all cores). Results can differ in the last float digits "
                    + "between thread counts.")
    int threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter pw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // every input is checked before the model is loaded
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be at least 1, got " + batchSize);
        }
        if (threads < 0) {
            throw new UsageException("--threads must be >= 0, got " + threads);
        }
        checkThreshold("--box-threshold", boxThreshold);
        checkThreshold("--text-threshold", textThreshold);
        if (nmsIou != null) {
            checkThreshold("--nms", nmsIou);
        }
        if (dumpRaw != null && input.image == null) {
            throw new UsageException("--dump-raw works with --image only (one image's raw outputs)");
        }
        List<String> classList = classes();
        Prompt prompt = prompt(classList);
        List<Path> images = images();
        model.check("gdino detect", err);
        boolean jsonToStdout = json != null && json.toString().equals("-");
        boolean cocoToStdout = coco != null && coco.toString().equals("-");
        // with a document on the standard output, the per-image report goes to the standard error
        PrintWriter report = jsonToStdout || cocoToStdout ? err : pw;
        try (Detector detector = builder().build()) {
            Map<String, DetectionResult> results = new LinkedHashMap<>();
            int failed = 0;
            // a folder runs in slices: the detector pipelines decoding with the model inside each slice
            int slice = Math.max(batchSize, 16);
            for (int start = 0; start < images.size(); start += slice) {
                List<Path> chunk = images.subList(start, Math.min(images.size(), start + slice));
                List<DetectionResult> chunkResults;
                int done = start;
                List<Path> slicePaths = chunk;
                BatchProgress progress = (stage, n, total) -> {
                    if (input.dir != null && stage == BatchProgress.Stage.POSTPROCESS) {
                        err.printf(Locale.ROOT, "[%d/%d] %s%n", done + n, images.size(),
                                slicePaths.get(n - 1).getFileName());
                    }
                };
                try {
                    chunkResults = detector.detect(ImageInput.files(chunk), prompt, progress);
                } catch (ImageException e) {
                    if (input.image != null) {
                        throw e;
                    }
                    // one unreadable file must not stop a folder: run the slice image by image, skipping it
                    chunkResults = new ArrayList<>();
                    List<Path> readable = new ArrayList<>();
                    for (int i = 0; i < chunk.size(); i++) {
                        Path file = chunk.get(i);
                        try {
                            chunkResults.add(detector.detect(ImageInput.of(file), prompt));
                            readable.add(file);
                        } catch (ImageException bad) {
                            failed++;
                            err.println(file.getFileName() + ": skipped: " + bad.getMessage());
                        }
                        err.printf(Locale.ROOT, "[%d/%d] %s%n", start + i + 1, images.size(), file.getFileName());
                    }
                    chunk = readable;
                }
                for (int i = 0; i < chunk.size(); i++) {
                    Path file = chunk.get(i);
                    String name = input.dir != null ? input.dir.relativize(file).toString() : file.toString();
                    results.put(name, chunkResults.get(i));
                    print(report, name, chunkResults.get(i));
                    if (out != null) {
                        Annotator.write(file, chunkResults.get(i), out.resolve(annotatedName(file)));
                    }
                }
            }
            reportChunks(report, results.values());
            writeOutputs(pw, report, results, detector, prompt, classList);
            if (out != null) {
                report.println("annotated images written to " + out);
            }
            if (failed > 0) {
                err.println("gdino detect: " + failed + " of " + images.size() + " images could not be read (see "
                        + "above)");
                return Gdino.EXIT_INPUT_ERROR;
            }
        }
        return 0;
    }

    private Prompt prompt(List<String> classes) {
        if (classes != null) {
            for (int i = 0; i < classes.size(); i++) {
                if (classes.get(i).isEmpty()) {
                    throw new UsageException("--classes: class " + i + " is empty; give names separated by commas, "
                            + "e.g. --classes cat,dog");
                }
            }
            return Prompt.classes(classes);
        }
        if (query.prompt.isBlank()) {
            throw new UsageException("--prompt is empty; name the objects to find, e.g. --prompt \"cat . dog\"");
        }
        return Prompt.text(query.prompt);
    }

    static void checkThreshold(String flag, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new UsageException(flag + " must be in [0, 1], got " + value);
        }
    }

    /** The class list of --classes or --classes-file (stripped), or null for --prompt. */
    private List<String> classes() {
        if (query.classes != null) {
            List<String> classes = new ArrayList<>();
            for (String c : query.classes) {
                classes.add(c.strip());
            }
            return classes;
        }
        if (query.classesFile != null) {
            return readClassesFile(query.classesFile);
        }
        return null;
    }

    /** {@link Prompt#classesFile}, its errors as usage errors naming the flag. */
    static List<String> readClassesFile(Path file) {
        try {
            return Prompt.classesFile(file).classes();
        } catch (PromptException e) {
            throw new UsageException("--classes-file: " + e.getMessage());
        }
    }

    /** TOKEN_SPANS for a class file unless --class-matching is given; REFERENCE otherwise. */
    private ClassMatching classMatching() {
        if (classMatching != null) {
            return classMatching;
        }
        return query.classesFile != null ? ClassMatching.TOKEN_SPANS : ClassMatching.REFERENCE;
    }

    /** One line on how a long class list ran. */
    private static void reportChunks(PrintWriter report, java.util.Collection<DetectionResult> results) {
        if (!results.isEmpty()) { // every image runs the same split
            DetectionResult r = results.iterator().next();
            if (r.chunks().size() > 1) {
                StringBuilder sb = new StringBuilder();
                for (DetectionResult.Chunk c : r.chunks()) {
                    sb.append(sb.length() == 0 ? "" : ", ").append('[').append(c.first()).append(", ").append(c.end())
                            .append(')');
                }
                report.printf(Locale.ROOT, "the %d classes ran in %d chunks of at most 256 tokens: %s%n",
                        r.classes().size(), r.chunks().size(), sb);
            }
        }
    }

    private Detector.Builder builder() {
        Detector.Builder b = model.detectorBuilder().boxThreshold(boxThreshold).textThreshold(textThreshold)
                .removeCombined(removeCombined).classMatching(classMatching()).batchSize(batchSize).threads(threads);
        if (nmsIou != null) {
            b.nms(NmsMode.PER_LABEL, nmsIou);
        }
        return b;
    }

    private List<Path> images() throws IOException {
        if (input.image != null) {
            if (!Files.isRegularFile(input.image)) {
                throw new UsageException("--image " + input.image + ": no such file");
            }
            return List.of(input.image);
        }
        Path dir = input.dir;
        if (!Files.isDirectory(dir)) {
            throw new UsageException("--dir " + dir.toAbsolutePath() + " is not a folder");
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
            throw new UsageException("--dir " + dir.toAbsolutePath() + ": no images (" + String.join(", ",
                    IMAGE_EXTENSIONS) + ") in it");
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

    private void writeOutputs(PrintWriter stdout, PrintWriter report, Map<String, DetectionResult> results,
            Detector detector, Prompt prompt, List<String> categories) {
        if (json != null) {
            String doc;
            if (input.image != null) {
                Map.Entry<String, DetectionResult> only = results.entrySet().iterator().next();
                doc = DetectionExport.toJson(only.getKey(), only.getValue());
            } else {
                doc = DetectionExport.toJson(results);
            }
            if (json.toString().equals("-")) {
                stdout.print(doc.endsWith("\n") ? doc : doc + "\n");
                stdout.flush();
            } else {
                if (input.image != null) {
                    Map.Entry<String, DetectionResult> only = results.entrySet().iterator().next();
                    DetectionExport.writeJson(json, only.getKey(), only.getValue());
                } else {
                    DetectionExport.writeJson(json, results);
                }
                report.println("wrote " + json);
            }
        }
        if (coco != null) {
            if (coco.toString().equals("-")) {
                stdout.print(DetectionExport.toCoco(results, categories));
                stdout.flush();
            } else {
                ExportSummary s = DetectionExport.writeCoco(coco, results, categories);
                report.printf(Locale.ROOT, "wrote %s: %d images, %d annotations, %d categories%s%n", coco, s.images(),
                        s.annotations(), s.categories().size(), s.skipped() > 0 ? " (" + s.skipped()
                                + " detections without a category skipped)" : "");
            }
        }
        if (yolo != null) {
            ExportSummary s = DetectionExport.writeYolo(yolo, results, categories);
            report.printf(Locale.ROOT, "wrote %s: %d label files, %d boxes, classes %s%s%n", yolo, s.images(),
                    s.annotations(), s.categories(), s.skipped() > 0 ? " (" + s.skipped()
                            + " detections without a category skipped)" : "");
        }
        if (dumpRaw != null) {
            RawOutputs raw = detector.rawOutputs(ImageInput.of(input.image), prompt);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("image", input.image.toString());
            meta.put("caption", raw.caption());
            meta.put("image_size_wh", Arrays.toString(new int[] {raw.width(), raw.height()}));
            raw.writeSafetensors(dumpRaw, meta);
            report.println("wrote " + dumpRaw + " (pred_logits [1, " + raw.queries() + ", " + raw.textSlots()
                    + "], pred_boxes [1, " + raw.queries() + ", 4])");
        }
    }
}
