package dev.groundingdino.examples.docs;

import dev.groundingdino.ImageInput;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
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
}
