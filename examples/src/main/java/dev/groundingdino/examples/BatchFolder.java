package dev.groundingdino.examples;

import dev.groundingdino.Prompt;
import dev.groundingdino.BatchProgress;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageInput;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Example: batch processing of a folder, the Java version of the usual Python loop
 * <pre>
 * for image_path in Path(folder).glob("*.jpg"):
 *     image_source, image = load_image(image_path)
 *     boxes, logits, phrases = predict(model, image, TEXT_PROMPT, BOX_THRESHOLD, TEXT_THRESHOLD)
 *     print(f"{image_path.name}: Found {len(boxes)} objects")
 * </pre>
 * Here the images go through the model in batches of {@code batchSize} (one forward pass per batch).
 *
 * <pre>
 * java -cp examples/target/gdino.jar dev.groundingdino.examples.BatchFolder \
 *     groundingdino_swint_ogc.pth images/ "person . car" [BATCH_SIZE [CONFIG]]
 * </pre>
 */
public final class BatchFolder {
    private BatchFolder() {}

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: BatchFolder CHECKPOINT|demo FOLDER PROMPT [BATCH_SIZE [CONFIG]]");
            System.exit(2);
        }
        int batchSize = args.length >= 4 ? Integer.parseInt(args[3]) : 2;
        try (Detector detector = ExampleModels.builder(args[0], args.length == 5 ? args[4] : null).build()) {
            run(detector, Path.of(args[1]), args[2], batchSize, System.out);
        }
    }

    /**
     * Detects {@code prompt} in every JPEG/PNG of {@code folder} (sorted by name), printing
     * {@code "<file>: Found N objects"} per image.
     *
     * @return file name to detections, in order
     */
    public static Map<String, DetectionResult> run(Detector detector, Path folder, String prompt, int batchSize,
            PrintStream out) {
        List<Path> images;
        try (Stream<Path> files = Files.list(folder)) {
            images = files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(jpe?g|png)")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        Map<String, DetectionResult> results = new LinkedHashMap<>();
        for (int start = 0; start < images.size(); start += batchSize) {
            List<Path> batch = images.subList(start, Math.min(images.size(), start + batchSize));
            BatchProgress progress = (stage, done, total) -> {
                if (stage == BatchProgress.Stage.FORWARD) {
                    System.err.printf("forward pass over %d image(s) done%n", batch.size());
                }
            };
            List<DetectionResult> detections = detector.detect(ImageInput.files(batch), Prompt.text(prompt), progress);
            for (int i = 0; i < batch.size(); i++) {
                String name = batch.get(i).getFileName().toString();
                out.println(name + ": Found " + detections.get(i).size() + " objects");
                results.put(name, detections.get(i));
            }
        }
        return results;
    }
}
