package dev.groundingdino.spark.internal;

import java.util.List;
import java.util.Objects;

/**
 * The labeller's result for one image: its size and detections, or the error that kept it from being labelled.
 *
 * @param width image width in pixels (0 for an error)
 * @param height image height in pixels (0 for an error)
 * @param boxes the detections in the detector's order (empty for an error)
 * @param error why the image could not be labelled (e.g. the decoder's message), or null
 */
public record ImageLabels(int width, int height, List<LabelBox> boxes, String error) {

    /** Copies the list and checks that a result is either labelled or an error. */
    public ImageLabels {
        boxes = List.copyOf(boxes);
        if (error == null && (width <= 0 || height <= 0)) {
            throw new IllegalArgumentException("a labelled image needs a positive size, got " + width + "x" + height);
        }
    }

    /** A row for an image that could not be labelled. */
    public static ImageLabels failed(String error) {
        return new ImageLabels(0, 0, List.of(), Objects.requireNonNull(error, "error"));
    }

    public boolean isError() {
        return error != null;
    }
}
