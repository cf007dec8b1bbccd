package dev.groundingdino.examples.docs;

import dev.groundingdino.Detector;
import dev.groundingdino.sam.Segmenter;
import java.nio.file.Path;

/** The Java snippets of docs/model-weights.md, compiled. */
final class WeightsSnippets {
    private WeightsSnippets() {}

    static void fromCache() {
        // tag::from-cache[]
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "groundingdino");
        try (Detector swinB = Detector.load(cache.resolve("groundingdino_swinb_cogcoor.pth"));
             Segmenter samB = Segmenter.load(cache.resolve("sam_vit_b_01ec64.pth"))) {
            System.out.println(swinB.variant() + " + SAM " + samB.variant());
        }
        // end::from-cache[]
    }
}
