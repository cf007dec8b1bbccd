package dev.groundingdino.internal.export;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The categories of a dataset export and the category of each detection.
 *
 * <p>Categories are, in this order of preference: the list given by the caller; the class list of the results (all
 * class-list results must share it); or the distinct non-empty labels in order of first appearance. A detection
 * belongs to category {@code k} when it is a class-list detection with class id {@code k} (and the categories are
 * that class list), or when its label equals category {@code k}'s name; otherwise it has none and is skipped.
 */
final class Categories {
    private final List<String> names;

    private Categories(List<String> names) {
        this.names = List.copyOf(names);
    }

    static Categories of(Map<String, DetectionResult> results, List<String> explicit) {
        if (explicit != null && !explicit.isEmpty()) {
            for (String name : explicit) {
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("category names must not be blank: " + explicit);
                }
            }
            return new Categories(explicit);
        }
        List<String> classes = null;
        for (Map.Entry<String, DetectionResult> e : results.entrySet()) {
            List<String> c = e.getValue().classes();
            if (c.isEmpty()) {
                continue;
            }
            if (classes == null) {
                classes = c;
            } else if (!classes.equals(c)) {
                throw new dev.groundingdino.InvalidValueException("the results use different class lists (" + classes + " and " + c
                        + " for " + e.getKey() + "); export them separately or give the categories explicitly");
            }
        }
        if (classes != null) {
            return new Categories(classes);
        }
        List<String> labels = new ArrayList<>();
        for (DetectionResult r : results.values()) {
            for (Detection d : r.detections()) {
                String label = d.label().strip();
                if (!label.isEmpty() && !labels.contains(label)) {
                    labels.add(label);
                }
            }
        }
        return new Categories(labels);
    }

    List<String> names() {
        return names;
    }

    /** The 0-based category of {@code d} in {@code result}, or -1. */
    int indexOf(Detection d, DetectionResult result) {
        if (d.hasClass() && result.classes().equals(names)) {
            return d.classId();
        }
        return names.indexOf(d.label().strip());
    }
}
