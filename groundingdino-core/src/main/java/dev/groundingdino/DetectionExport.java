package dev.groundingdino;

import dev.groundingdino.internal.export.CocoExport;
import dev.groundingdino.internal.export.DetectionJson;
import dev.groundingdino.internal.export.YoloExport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes detections as JSON, or as a COCO or YOLO dataset (auto-labelling a folder of images).
 *
 * <p>JSON, one object per image (a batch is an array of them), detections in query order:
 * <pre>{@code
 * {"image": "cat_dog.jpeg", "width": 1200, "height": 901,
 *  "detections": [{"label": "cat", "confidence": 0.87,
 *                  "bbox": {"x1": 310.2, "y1": 220.5, "x2": 640.0, "y2": 700.1},
 *                  "bbox_cxcywh": [0.39, 0.51, 0.27, 0.53]}]}
 * }</pre>
 * {@code bbox} is in pixels of the image (not clipped), {@code bbox_cxcywh} normalised; class-list results add
 * {@code "class_id"}.
 *
 * <p>Datasets: the categories are the class list of class-list results (recommended: {@code detect(image,
 * List.of("cat", "dog"))}), else the distinct non-empty labels in order of first appearance, unless given
 * explicitly; detections without a category are skipped, boxes are clipped to the image. COCO writes one
 * instances file ({@code images}, {@code annotations} with {@code bbox = [x, y, w, h]}, {@code categories}, ids from
 * 1); YOLO writes {@code classes.txt} and one {@code <image stem>.txt} per image ({@code class cx cy w h},
 * normalised). Files are written atomically; missing folders are created.
 */
public final class DetectionExport {
    private DetectionExport() {}

    /** The JSON object of one image, pretty-printed. */
    public static String toJson(String image, DetectionResult result) {
        return DetectionJson.toJson(image, result);
    }

    /** A JSON array of the images in map order, pretty-printed. */
    public static String toJson(Map<String, DetectionResult> results) {
        return DetectionJson.toJson(results);
    }

    /**
     * Writes the JSON of one image.
     *
     * @throws GroundingDinoException if the file cannot be written
     */
    public static void writeJson(Path file, String image, DetectionResult result) {
        DetectionJson.write(file, image, result);
    }

    /**
     * Writes the JSON array of several images (map order; use a {@link java.util.LinkedHashMap}).
     *
     * @throws GroundingDinoException if the file cannot be written
     */
    public static void writeJson(Path file, Map<String, DetectionResult> results) {
        DetectionJson.write(file, results);
    }

    /**
     * Writes a COCO instances file with categories derived from the results.
     *
     * @param results image file name (the COCO {@code file_name}) to its detections, in image order
     * @throws GroundingDinoException if the file cannot be written
     * @throws InvalidValueException if class-list results use different class lists
     */
    public static ExportSummary writeCoco(Path file, Map<String, DetectionResult> results) {
        return CocoExport.write(file, results, null);
    }

    /** {@link #writeCoco(Path, Map)} with explicit categories (detections map to them by class id or label). */
    public static ExportSummary writeCoco(Path file, Map<String, DetectionResult> results, List<String> categories) {
        return CocoExport.write(file, results, categories);
    }

    /**
     * The COCO instances document {@link #writeCoco(Path, Map, List)} writes, as JSON text (for a stream, e.g. the
     * standard output).
     *
     * @param categories category names, or null to derive them from the results
     */
    public static String toCoco(Map<String, DetectionResult> results, List<String> categories) {
        StringBuilder out = new StringBuilder();
        CocoExport.toJson(results, categories, out);
        return out.toString();
    }

    /**
     * Writes a YOLO label folder ({@code classes.txt} + one {@code .txt} per image) with categories derived from
     * the results.
     *
     * @param results image file name to its detections; label files are named after its stem
     * @throws GroundingDinoException if a file cannot be written
     * @throws InvalidValueException if two images share a stem, or class-list results use different class lists
     */
    public static ExportSummary writeYolo(Path dir, Map<String, DetectionResult> results) {
        return YoloExport.write(dir, results, null);
    }

    /** {@link #writeYolo(Path, Map)} with explicit categories. */
    public static ExportSummary writeYolo(Path dir, Map<String, DetectionResult> results, List<String> categories) {
        return YoloExport.write(dir, results, categories);
    }
}
