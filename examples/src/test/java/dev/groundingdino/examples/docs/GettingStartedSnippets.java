package dev.groundingdino.examples.docs;

import dev.groundingdino.ImageInput;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.Device;
import java.nio.file.Path;

/** The Java snippets of docs/getting-started.md, compiled. */
final class GettingStartedSnippets {
    private GettingStartedSnippets() {}

    static void demoModel() {
        // tag::demo-model[]
        try (Detector detector = Detector.demo()) {      // random weights, nothing to download: the boxes are noise
            DetectionResult result = detector.detect(ImageInput.of(Path.of("examples/images/cat_dog.jpeg")), "cat . dog");
            System.out.println(result.size() + " (meaningless) detections; demo model: " + detector.isDemo());
        }
        // end::demo-model[]
    }

    static void cuda() {
        // tag::cuda[]
        try (Detector detector = Detector.builder(Path.of("groundingdino_swint_ogc.pth"))
                .device(Device.CUDA).build()) {          // fails with a clear message when no GPU is usable
            System.out.println(detector);
        }
        // end::cuda[]
    }
}
