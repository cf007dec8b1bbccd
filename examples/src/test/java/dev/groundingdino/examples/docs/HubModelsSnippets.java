package dev.groundingdino.examples.docs;

import dev.groundingdino.ImageInput;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.HubModel;
import java.nio.file.Path;

/** The Java snippets of docs/hub-models.md, compiled. */
final class HubModelsSnippets {
    private HubModelsSnippets() {}

    static void hubFolder() {
        // tag::hub-folder[]
        try (Detector detector = Detector.load(Path.of("grounding-dino-tiny"))) {      // the downloaded folder
            DetectionResult result = detector.detect(ImageInput.of(Path.of("cat_dog.jpeg")), "cat . dog");
        }
        // end::hub-folder[]
    }

    static void hubByName() {
        // tag::hub-by-name[]
        Path folder = HubModel.byName("llmdet_tiny").orElseThrow().download(null); // or locate(): offline
        try (Detector detector = Detector.load(folder)) {
            DetectionResult result = detector.detect(ImageInput.of(Path.of("street.jpg")), "person . bicycle");
        }
        // end::hub-by-name[]
    }

    static void rawForward() {
        // tag::raw-forward[]
        try (Detector detector = Detector.load(Path.of("grounding-dino-tiny"))) {
            detector.forward(Path.of("in.safetensors"), Path.of("out.safetensors"));
        }
        // end::raw-forward[]
    }
}
