package dev.groundingdino.examples;

import dev.groundingdino.Detector;
import java.nio.file.Path;

/**
 * How the examples load their detector: a checkpoint path (with an optional config file, needed only for checkpoints
 * of a size that is not recognised from their tensors), or {@code demo} for the random-weight demo model that runs
 * offline but finds nothing meaningful.
 */
final class ExampleModels {
    private ExampleModels() {}

    /** A builder for {@code weights} ({@code "demo"} or a checkpoint path) and an optional {@code config}. */
    static Detector.Builder builder(String weights, String config) {
        if (weights.equalsIgnoreCase("demo")) {
            // the detector logs a warning: the demo model finds nothing meaningful
            return Detector.demoBuilder();
        }
        Detector.Builder builder = Detector.builder(Path.of(weights));
        if (config != null) {
            builder.config(Path.of(config));
        }
        return builder;
    }
}
