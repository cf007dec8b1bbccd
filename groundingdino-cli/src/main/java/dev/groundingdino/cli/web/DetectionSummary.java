package dev.groundingdino.cli.web;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import java.util.ArrayList;
import java.util.List;

/** The one-line summary under the annotated image: {@code "Found 3 objects: cat, dog, dog"}. */
public final class DetectionSummary {
    /** How an empty phrase (which an untrained or uncertain model can produce) is shown. */
    public static final String UNLABELLED = "(no label)";

    private DetectionSummary() {}

    /**
     * {@code "Found N objects: a, b, c"}: the count, then every detection's label in detection order (labels are
     * stripped of surrounding spaces); {@code "Found 1 object: cat"}; {@code "Found 0 objects"}.
     */
    public static String of(DetectionResult result) {
        int n = result.size();
        StringBuilder sb = new StringBuilder("Found ").append(n).append(n == 1 ? " object" : " objects");
        if (n > 0) {
            sb.append(": ").append(String.join(", ", labels(result)));
        }
        return sb.toString();
    }

    /** The displayed label of each detection, in detection order. */
    public static List<String> labels(DetectionResult result) {
        List<String> labels = new ArrayList<>(result.size());
        for (Detection d : result.detections()) {
            String label = d.label().strip();
            labels.add(label.isEmpty() ? UNLABELLED : label);
        }
        return labels;
    }
}
