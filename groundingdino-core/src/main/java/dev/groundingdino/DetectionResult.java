package dev.groundingdino;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The detections of one image.
 *
 * @param width width of the input image in pixels (boxes are in this image's pixels)
 * @param height height of the input image in pixels
 * @param caption the caption the model saw: the prompt lowercased, stripped, ending with {@code "."} (for a class
 *     list: the classes joined with {@code ". "} and preprocessed likewise)
 * @param classes the class list of a class-list call, empty for a free prompt
 * @param detections the detections in query order (the reference's order; not sorted by score)
 */
public record DetectionResult(int width, int height, String caption, List<String> classes,
        List<Detection> detections) {

    /** Checks the values and copies the lists. */
    public DetectionResult {
        if (width <= 0 || height <= 0) {
            throw new InvalidValueException("image size must be positive, got " + width + "x" + height);
        }
        Objects.requireNonNull(caption, "caption");
        classes = List.copyOf(classes);
        detections = List.copyOf(detections);
    }

    /** Number of detections. */
    public int size() {
        return detections.size();
    }

    public boolean isEmpty() {
        return detections.isEmpty();
    }

    /** The distinct labels in order of first appearance. */
    public List<String> labels() {
        List<String> out = new ArrayList<>();
        for (Detection d : detections) {
            if (!out.contains(d.label())) {
                out.add(d.label());
            }
        }
        return out;
    }

    /** The detections sorted by descending score (ties keep query order). */
    public List<Detection> byScore() {
        List<Detection> out = new ArrayList<>(detections);
        out.sort((a, b) -> Double.compare(b.score(), a.score()));
        return out;
    }
}
