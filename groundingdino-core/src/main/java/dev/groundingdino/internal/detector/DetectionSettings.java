package dev.groundingdino.internal.detector;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.NmsMode;
import dev.groundingdino.OptionException;

/**
 * The post-processing and batching settings of one detector.
 *
 * @param boxThreshold keep a query whose best token probability is above this
 * @param textThreshold tokens above this form a query's phrase
 * @param removeCombined the reference's {@code remove_combined}
 * @param classMatching how class lists are matched
 * @param nms non-maximum suppression after the reference post-processing
 * @param nmsIou the IoU above which NMS suppresses
 * @param batchSize images per forward pass of a multi-image call
 */
public record DetectionSettings(double boxThreshold, double textThreshold, boolean removeCombined,
        ClassMatching classMatching, NmsMode nms, double nmsIou, int batchSize) {

    /** @throws OptionException for a threshold outside [0, 1] or a batch size below 1 */
    public DetectionSettings {
        checkThreshold("box threshold", boxThreshold);
        checkThreshold("text threshold", textThreshold);
        checkThreshold("NMS IoU threshold", nmsIou);
        if (batchSize < 1) {
            throw new OptionException("batchSize must be at least 1, got " + batchSize);
        }
    }

    /** @throws OptionException if {@code value} is not in [0, 1] */
    public static void checkThreshold(String what, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new OptionException(what + " must be in [0, 1], got " + value + " (the reference defaults are "
                    + "box 0.35, text 0.25)");
        }
    }

    public DetectionSettings withThresholds(double box, double text) {
        return new DetectionSettings(box, text, removeCombined, classMatching, nms, nmsIou, batchSize);
    }

    public DetectionSettings withRemoveCombined(boolean value) {
        return new DetectionSettings(boxThreshold, textThreshold, value, classMatching, nms, nmsIou, batchSize);
    }

    public DetectionSettings withClassMatching(ClassMatching value) {
        return new DetectionSettings(boxThreshold, textThreshold, removeCombined, value, nms, nmsIou, batchSize);
    }

    public DetectionSettings withNms(NmsMode mode, double iou) {
        return new DetectionSettings(boxThreshold, textThreshold, removeCombined, classMatching, mode, iou, batchSize);
    }

    public DetectionSettings withBatchSize(int value) {
        return new DetectionSettings(boxThreshold, textThreshold, removeCombined, classMatching, nms, nmsIou, value);
    }
}
