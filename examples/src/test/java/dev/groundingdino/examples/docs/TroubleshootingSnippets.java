package dev.groundingdino.examples.docs;

import dev.groundingdino.ImageInput;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.NmsMode;
import dev.groundingdino.Precision;
import java.nio.file.Path;

/** The Java snippets of docs/troubleshooting.md, compiled. */
final class TroubleshootingSnippets {
    private TroubleshootingSnippets() {}

    static void nothingDetected(Detector detector, Path image) {
        // tag::nothing-detected[]
        try (Detector lenient = detector.withThresholds(0.25, 0.2)) {
            DetectionResult result = lenient.detect(ImageInput.of(image), "white coffee mug . laptop");
            System.out.println(result.byScore());          // best first: how close were the misses?
        }
        // end::nothing-detected[]
    }

    static void falsePositives(Detector detector, Path image) {
        // tag::false-positives[]
        try (Detector strict = detector.withThresholds(0.45, 0.3);
             Detector deduplicated = strict.withNms(NmsMode.PER_LABEL, 0.5)) {    // overlapping boxes of one label
            System.out.println(deduplicated.detect(ImageInput.of(image), "person").size());
        }
        // end::false-positives[]
    }

    static void faster() {
        // tag::faster[]
        try (Detector fast = Detector.builder(Path.of("groundingdino_swint_ogc.pth"))
                .precision(Precision.BF16)                // ~1e-2 score differences; check it on your images
                .threads(4)                               // libtorch intra-op threads (process-wide)
                .build()) {
            System.out.println(fast);
        }
        // end::faster[]
    }
}
