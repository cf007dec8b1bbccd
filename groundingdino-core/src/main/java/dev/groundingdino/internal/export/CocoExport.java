package dev.groundingdino.internal.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.ExportSummary;
import dev.groundingdino.Box;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes detections as a COCO "instances" file for auto-labelling: {@code images} ({@code id}, {@code file_name},
 * {@code width}, {@code height}), {@code annotations} ({@code id}, {@code image_id}, {@code category_id},
 * {@code bbox = [x, y, w, h]} in pixels clipped to the image, {@code area}, {@code iscrowd = 0}, {@code score}) and
 * {@code categories} ({@code id}, {@code name}, {@code supercategory}). Ids start at 1; categories as in
 * {@link Categories}. Detections without a category or without area after clipping are skipped and counted.
 */
public final class CocoExport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CocoExport() {}

    /**
     * The COCO document.
     *
     * @param results image file name (as it should appear in {@code file_name}) to its detections, in image order
     * @param categories the resolved categories
     * @param summary receives {@code [annotations, skipped]}
     */
    static ObjectNode document(Map<String, DetectionResult> results, Categories categories, int[] summary) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode info = root.putObject("info");
        info.put("description", "GroundingDINO for Java auto-labels");
        ArrayNode images = root.putArray("images");
        ArrayNode annotations = root.putArray("annotations");
        ArrayNode cats = root.putArray("categories");
        List<String> names = categories.names();
        for (int k = 0; k < names.size(); k++) {
            ObjectNode c = cats.addObject();
            c.put("id", k + 1);
            c.put("name", names.get(k));
            c.put("supercategory", "object");
        }
        int imageId = 0;
        int annotationId = 0;
        int skipped = 0;
        for (Map.Entry<String, DetectionResult> e : results.entrySet()) {
            DetectionResult r = e.getValue();
            imageId++;
            ObjectNode img = images.addObject();
            img.put("id", imageId);
            img.put("file_name", e.getKey());
            img.put("width", r.width());
            img.put("height", r.height());
            for (Detection d : r.detections()) {
                int k = categories.indexOf(d, r);
                Box b = d.box().clampTo(r.width(), r.height());
                if (k < 0 || b.area() <= 0) {
                    skipped++;
                    continue;
                }
                ObjectNode a = annotations.addObject();
                a.put("id", ++annotationId);
                a.put("image_id", imageId);
                a.put("category_id", k + 1);
                ArrayNode bbox = a.putArray("bbox");
                bbox.add(b.x0());
                bbox.add(b.y0());
                bbox.add(b.width());
                bbox.add(b.height());
                a.put("area", b.area());
                a.put("iscrowd", 0);
                a.put("score", d.score());
            }
        }
        summary[0] = annotationId;
        summary[1] = skipped;
        return root;
    }

    /**
     * Writes the COCO file.
     *
     * @param results image file name to its detections, in image order
     * @param categories category names, or null/empty to derive them from the results
     */
    public static ExportSummary write(Path file, Map<String, DetectionResult> results, List<String> categories) {
        Objects.requireNonNull(file, "file");
        StringBuilder json = new StringBuilder();
        ExportSummary summary = toJson(results, categories, json);
        AtomicFiles.write(file, json.toString().getBytes(StandardCharsets.UTF_8));
        return summary;
    }

    /** The COCO document as JSON text (ending with a newline) appended to {@code out}. */
    public static ExportSummary toJson(Map<String, DetectionResult> results, List<String> categories,
            StringBuilder out) {
        Objects.requireNonNull(results, "results");
        Categories cats = Categories.of(results, categories);
        int[] summary = new int[2];
        ObjectNode doc = document(results, cats, summary);
        try {
            out.append(JSON.writeValueAsString(doc)).append('\n');
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising the COCO document failed", e);
        }
        return new ExportSummary(results.size(), summary[0], summary[1], cats.names());
    }
}
