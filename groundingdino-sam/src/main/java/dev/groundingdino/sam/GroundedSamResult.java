package dev.groundingdino.sam;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.internal.annotate.DetectionPainter;
import dev.groundingdino.internal.annotate.Rgb;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The result of {@link GroundedSam#run}: the detections of one image and, for each of them in the same order, its
 * mask.
 *
 * @param detections what the detector found (image size, caption, detections in query order)
 * @param masks one entry per detection, in detection order
 */
public record GroundedSamResult(DetectionResult detections, List<GroundedMask> masks) {

    public GroundedSamResult {
        Objects.requireNonNull(detections, "detections");
        masks = List.copyOf(masks);
        if (masks.size() != detections.size()) {
            throw new dev.groundingdino.InvalidValueException(masks.size() + " masks for " + detections.size()
                    + " detections; there is one mask per detection");
        }
        for (int i = 0; i < masks.size(); i++) {
            if (masks.get(i).detection() != detections.detections().get(i)) {
                throw new dev.groundingdino.InvalidValueException("mask " + i + " belongs to another detection than detection " + i);
            }
        }
    }

    /** Width of the image in pixels. */
    public int width() {
        return detections.width();
    }

    /** Height of the image in pixels. */
    public int height() {
        return detections.height();
    }

    /** Number of objects. */
    public int size() {
        return masks.size();
    }

    public boolean isEmpty() {
        return masks.isEmpty();
    }

    /**
     * What {@link MaskOverlay} draws for this result: each mask with its SAM box (the detection's box clipped to the
     * image) and the detection's caption
     * ({@code "<label> <score:.2f>"}), coloured like {@link dev.groundingdino.Annotator} colours the detections (one
     * colour per label, or per class for class-list results).
     */
    public List<MaskOverlay.Item> overlayItems() {
        List<Rgb> colors = new DetectionPainter().colors(detections);
        List<MaskOverlay.Item> out = new ArrayList<>(masks.size());
        for (int i = 0; i < masks.size(); i++) {
            GroundedMask g = masks.get(i);
            Detection d = g.detection();
            Rgb c = colors.get(i);
            out.add(new MaskOverlay.Item(g.mask().bitmap(), g.prompt(), d.caption(),
                    (c.r() << 16) | (c.g() << 8) | c.b()));
        }
        return out;
    }
}
