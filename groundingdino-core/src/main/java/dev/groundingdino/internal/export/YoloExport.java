package dev.groundingdino.internal.export;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.ExportSummary;
import dev.groundingdino.Box;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes detections as a YOLO dataset for auto-labelling: {@code classes.txt} (one category name per line, line
 * {@code k} = class {@code k}) and one {@code <image stem>.txt} per image with a line {@code "class cx cy w h"} per
 * box, normalised to the image size and clipped to it (6 decimals); images without boxes get an empty file.
 * Categories as in {@link Categories}; detections without a category or area are skipped and counted.
 */
public final class YoloExport {
    private YoloExport() {}

    /**
     * Writes the label files into {@code dir}.
     *
     * @param results image file name to its detections; label files are named after the file name's stem
     * @param categories category names, or null/empty to derive them from the results
     * @throws dev.groundingdino.InvalidValueException if two images have the same stem (their label files would collide)
     */
    public static ExportSummary write(Path dir, Map<String, DetectionResult> results, List<String> categories) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(results, "results");
        Categories cats = Categories.of(results, categories);
        Map<String, String> stems = new HashMap<>();
        for (String image : results.keySet()) {
            String stem = stem(image);
            String previous = stems.put(stem, image);
            if (previous != null) {
                throw new dev.groundingdino.InvalidValueException("images '" + previous + "' and '" + image + "' would both get the "
                        + "label file " + stem + ".txt; rename one of them");
            }
        }
        StringBuilder names = new StringBuilder();
        for (String n : cats.names()) {
            names.append(n).append('\n');
        }
        AtomicFiles.write(dir.resolve("classes.txt"), names.toString().getBytes(StandardCharsets.UTF_8));
        int written = 0;
        int skipped = 0;
        for (Map.Entry<String, DetectionResult> e : results.entrySet()) {
            DetectionResult r = e.getValue();
            StringBuilder lines = new StringBuilder();
            for (Detection d : r.detections()) {
                int k = cats.indexOf(d, r);
                Box b = d.box().clampTo(r.width(), r.height());
                if (k < 0 || b.area() <= 0) {
                    skipped++;
                    continue;
                }
                lines.append(String.format(Locale.ROOT, "%d %.6f %.6f %.6f %.6f\n", k, b.centerX() / r.width(),
                        b.centerY() / r.height(), b.width() / r.width(), b.height() / r.height()));
                written++;
            }
            AtomicFiles.write(dir.resolve(stem(e.getKey()) + ".txt"), lines.toString().getBytes(StandardCharsets.UTF_8));
        }
        return new ExportSummary(results.size(), written, skipped, cats.names());
    }

    /** The file name without folders and extension. */
    static String stem(String image) {
        String name = image.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
