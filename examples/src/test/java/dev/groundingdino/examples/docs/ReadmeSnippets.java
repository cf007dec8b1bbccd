package dev.groundingdino.examples.docs;

import dev.groundingdino.Prompt;
import dev.groundingdino.BatchProgress;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageInput;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.Segmenter;
import java.nio.file.Path;
import java.util.List;

/** The Java snippets of README.md, compiled; {@link DocSnippetsTest} checks the README shows them unchanged. */
final class ReadmeSnippets {
    private ReadmeSnippets() {}

    static void options(Path image, List<Path> paths, BatchProgress progress) {
        // tag::options[]
        Detector detector = Detector.builder(Path.of("groundingdino_swint_ogc.pth"))
                .boxThreshold(0.3).textThreshold(0.25).build();             // immutable, thread-safe, AutoCloseable
        Detector strict = detector.withThresholds(0.5, 0.4);                 // shares the weights
        DetectionResult byClass = detector.detect(ImageInput.of(image), Prompt.classes(List.of("cat", "dog")));          // class ids like predict_with_classes
        List<DetectionResult> batch = detector.detect(ImageInput.files(paths), Prompt.text("person . car"), progress);  // one forward
        DetectionExport.writeJson(Path.of("detections.json"), "cat_dog.jpeg", byClass);   // detect_and_export's JSON
        // end::options[]
        strict.close();
        detector.close();
        System.out.println(batch.size());
    }

    static void groundedSam(Path dinoWeights, Path samWeights) {
        // tag::grounded-sam[]
        try (Detector detector = Detector.load(dinoWeights); Segmenter segmenter = Segmenter.load(samWeights)) {
            GroundedSamResult result = GroundedSam.run(detector, segmenter, ImageInput.of(Path.of("truck.jpg")),
                    "truck . tire");
        }
        // end::grounded-sam[]
    }
}
