package dev.groundingdino.internal.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON form of detections, one object per image:
 *
 * <pre>{@code
 * {"image": "cat_dog.jpeg", "width": 1200, "height": 901,
 *  "detections": [{"label": "cat", "confidence": 0.87,
 *                  "bbox": {"x1": 310.2, "y1": 220.5, "x2": 640.0, "y2": 700.1},
 *                  "bbox_cxcywh": [0.39, 0.51, 0.27, 0.53]}]}
 * }</pre>
 *
 * {@code bbox} is in pixels of the image (x1, y1 top-left; not clipped), {@code bbox_cxcywh} normalised to the
 * image size; numbers are the float32 values widened to double; detections in query order. A batch is a JSON array
 * of such objects. Detections of a class-list call also carry {@code "class_id"} (-1 = no class matched), and the
 * image's object says how the list ran: {@code "chunks": [[first, end], ...]}, the class index ranges
 * {@code [first, end)} each seen as one caption ({@code [[0, n]]} for a list that fits the model's 256 tokens).
 */
public final class DetectionJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DetectionJson() {}

    /** The JSON object of one image. */
    public static ObjectNode toNode(String image, DetectionResult result) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(result, "result");
        ObjectNode root = JSON.createObjectNode();
        root.put("image", image);
        root.put("width", result.width());
        root.put("height", result.height());
        boolean classList = !result.classes().isEmpty();
        if (classList) {
            ArrayNode chunks = root.putArray("chunks");
            for (DetectionResult.Chunk c : result.chunks()) {
                chunks.addArray().add(c.first()).add(c.end());
            }
        }
        ArrayNode list = root.putArray("detections");
        for (Detection d : result.detections()) {
            ObjectNode o = list.addObject();
            o.put("label", d.label());
            o.put("phrase", d.phrase()); // the reference's phrase, special tokens included
            o.put("confidence", d.score());
            if (classList) {
                o.put("class_id", d.classId());
            }
            ObjectNode bbox = o.putObject("bbox");
            bbox.put("x1", d.box().x0());
            bbox.put("y1", d.box().y0());
            bbox.put("x2", d.box().x1());
            bbox.put("y2", d.box().y1());
            ArrayNode c = o.putArray("bbox_cxcywh");
            c.add(d.normalizedBox().cx());
            c.add(d.normalizedBox().cy());
            c.add(d.normalizedBox().w());
            c.add(d.normalizedBox().h());
        }
        return root;
    }

    /** The pretty-printed JSON of one image. */
    public static String toJson(String image, DetectionResult result) {
        return write(toNode(image, result));
    }

    /** A JSON array with one object per image, in map order. */
    public static String toJson(Map<String, DetectionResult> results) {
        Objects.requireNonNull(results, "results");
        ArrayNode array = JSON.createArrayNode();
        results.forEach((image, result) -> array.add(toNode(image, result)));
        return write(array);
    }

    /** Writes {@link #toJson(String, DetectionResult)} to {@code file}. */
    public static void write(Path file, String image, DetectionResult result) {
        AtomicFiles.write(file, toJson(image, result).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@link #toJson(Map)} to {@code file}. */
    public static void write(Path file, Map<String, DetectionResult> results) {
        AtomicFiles.write(file, toJson(results).getBytes(StandardCharsets.UTF_8));
    }

    private static String write(Object node) {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising detections to JSON failed", e);
        }
    }
}
