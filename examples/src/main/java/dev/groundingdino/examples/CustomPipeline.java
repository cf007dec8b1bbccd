package dev.groundingdino.examples;

import dev.groundingdino.ImageInput;
import dev.groundingdino.Prompt;
import dev.groundingdino.Annotator;
import dev.groundingdino.ClassMatching;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.NmsMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Example: a custom pipeline, the Java version of a {@code detect_and_export} helper: own thresholds, a class list
 * (the reference's {@code Model.predict_with_classes}) scored per class, non-maximum suppression, then JSON export
 * and an annotated image.
 *
 * <pre>
 * java -cp examples/target/gdino.jar dev.groundingdino.examples.CustomPipeline \
 *     groundingdino_swint_ogc.pth cat_dog.jpeg "cat,dog" out/ [CONFIG]
 * </pre>
 *
 * writes {@code out/detections.json} ({@code {"image", "width", "height", "detections": [{"label", "confidence",
 * "bbox": {"x1", "y1", "x2", "y2"}, "bbox_cxcywh"}]}}) and {@code out/annotated.jpg}.
 */
public final class CustomPipeline {
    private CustomPipeline() {}

    public static void main(String[] args) {
        if (args.length < 4 || args.length > 5) {
            System.err.println("usage: CustomPipeline CHECKPOINT|demo IMAGE CLASS1,CLASS2,... OUTPUT_DIR [CONFIG]");
            System.exit(2);
        }
        List<String> classes = List.of(args[2].split("\\s*,\\s*"));
        try (Detector detector = ExampleModels.builder(args[0], args.length == 5 ? args[4] : null)
                .boxThreshold(0.3).textThreshold(0.25).build()) {
            DetectionResult result = detectAndExport(detector, Path.of(args[1]), classes, Path.of(args[3]));
            System.out.println(result.size() + " objects; wrote " + Path.of(args[3]).resolve("detections.json")
                    + " and " + Path.of(args[3]).resolve("annotated.jpg"));
        }
    }

    /**
     * Detects the classes in {@code image} with per-class token scoring and per-class NMS (IoU 0.5), and writes
     * {@code detections.json} and {@code annotated.jpg} into {@code outputDir}.
     */
    public static DetectionResult detectAndExport(Detector detector, Path image, List<String> classes,
            Path outputDir) {
        // derived detectors share the loaded weights; closing them releases only their share
        try (Detector custom = detector.withClassMatching(ClassMatching.TOKEN_SPANS).withNms(NmsMode.PER_LABEL, 0.5)) {
            DetectionResult result = custom.detect(ImageInput.of(image), Prompt.classes(classes));
            for (Detection d : result.detections()) {
                System.out.printf(Locale.ROOT, "%-10s class %d  %.3f  cxcywh [%.4f, %.4f, %.4f, %.4f]%n", d.label(),
                        d.classId(), d.score(), d.normalizedBox().cx(), d.normalizedBox().cy(), d.normalizedBox().w(),
                        d.normalizedBox().h());
            }
            DetectionExport.writeJson(outputDir.resolve("detections.json"), image.getFileName().toString(), result);
            Annotator.write(image, result, outputDir.resolve("annotated.jpg"));
            return result;
        }
    }
}
