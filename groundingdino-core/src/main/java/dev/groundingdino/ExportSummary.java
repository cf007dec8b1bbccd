package dev.groundingdino;

import java.util.List;

/**
 * What a dataset export ({@link DetectionExport#writeCoco}, {@link DetectionExport#writeYolo}) wrote.
 *
 * @param images number of images written
 * @param annotations number of boxes written
 * @param skipped detections left out: no category (an empty phrase, or a class-list detection whose label matched no
 *     class) or no area left after clipping the box to the image
 * @param categories the category names, in id order (COCO ids start at 1, YOLO class numbers at 0)
 */
public record ExportSummary(int images, int annotations, int skipped, List<String> categories) {

    /** Copies the category list. */
    public ExportSummary {
        categories = List.copyOf(categories);
    }
}
