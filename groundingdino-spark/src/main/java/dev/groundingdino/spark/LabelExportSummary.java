package dev.groundingdino.spark;

import java.util.List;
import java.util.Map;

/**
 * What a {@link LabelExport} wrote.
 *
 * @param images images written (labelled images; error rows are not written)
 * @param annotations boxes written
 * @param skipped detections left out: no category, or no area after clipping the box to the image
 * @param categories category names in id order (COCO ids from 1, YOLO classes from 0)
 * @param failed image name to the error of each image that could not be labelled, in image order
 */
public record LabelExportSummary(int images, int annotations, int skipped, List<String> categories,
        Map<String, String> failed) {

    /** Copies the collections. */
    public LabelExportSummary {
        categories = List.copyOf(categories);
        failed = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(failed));
    }
}
