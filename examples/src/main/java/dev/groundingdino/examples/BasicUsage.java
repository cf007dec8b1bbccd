package dev.groundingdino.examples;

import dev.groundingdino.ImageInput;
import dev.groundingdino.Annotator;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Example: the reference's basic usage ({@code load_model}, {@code load_image}, {@code predict}, {@code annotate},
 * {@code cv2.imwrite("annotated_image.jpg", ...)}) in Java.
 *
 * <pre>
 * java -cp examples/target/gdino.jar dev.groundingdino.examples.BasicUsage \
 *     groundingdino_swint_ogc.pth cat_dog.jpeg "cat . dog" output.jpg [CONFIG]
 * </pre>
 *
 * Python:
 * <pre>
 * model = load_model("GroundingDINO_SwinT_OGC.py", "groundingdino_swint_ogc.pth")
 * image_source, image = load_image(IMAGE_PATH)
 * boxes, logits, phrases = predict(model, image, "cat . dog", box_threshold=0.35, text_threshold=0.25)
 * annotated_frame = annotate(image_source, boxes, logits, phrases)
 * cv2.imwrite("output.jpg", annotated_frame)
 * </pre>
 * Give {@code demo} instead of a checkpoint to run the random-weight demo model (offline; it finds nothing
 * meaningful).
 */
public final class BasicUsage {
    private BasicUsage() {}

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: BasicUsage CHECKPOINT|demo IMAGE PROMPT [OUTPUT.jpg [CONFIG]]");
            System.exit(2);
        }
        Path output = Path.of(args.length >= 4 ? args[3] : "output.jpg");
        try (Detector detector = ExampleModels.builder(args[0], args.length == 5 ? args[4] : null).build()) {
            DetectionResult result = run(detector, Path.of(args[1]), args[2], output);
            System.out.println("annotated image written to " + output + " (" + result.size() + " objects)");
        }
    }

    /** Detects {@code prompt} in {@code image}, prints the detections and writes the annotated image. */
    public static DetectionResult run(Detector detector, Path image, String prompt, Path output) {
        // load_image + predict: decoding, the 800/1333 resize and normalisation happen inside detect
        DetectionResult result = detector.detect(ImageInput.of(image), prompt);
        for (Detection d : result.detections()) {
            System.out.printf(Locale.ROOT, "%-20s %.3f  [%.1f, %.1f, %.1f, %.1f]%n", d.label(), d.score(),
                    d.box().x0(), d.box().y0(), d.box().x1(), d.box().y1());
        }
        // annotate + imwrite: boxes and "phrase score" labels, JPEG or PNG by the file extension
        Annotator.write(image, result, output);
        return result;
    }
}
