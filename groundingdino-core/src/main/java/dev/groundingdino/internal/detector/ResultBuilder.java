package dev.groundingdino.internal.detector;

import dev.groundingdino.Box;
import dev.groundingdino.ClassMatching;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.NmsMode;
import dev.groundingdino.NormalizedBox;
import dev.groundingdino.internal.postprocess.Boxes;
import dev.groundingdino.internal.postprocess.Nms;
import dev.groundingdino.internal.postprocess.Predict;
import dev.groundingdino.internal.postprocess.Prediction;
import dev.groundingdino.internal.postprocess.QueryOutputs;
import java.util.ArrayList;
import java.util.List;

/** Turns one image's raw outputs into its {@link DetectionResult}: thresholds, phrases or classes, NMS, pixel boxes. */
public final class ResultBuilder {
    private ResultBuilder() {}

    /**
     * @param outputs the image's {@code pred_logits} / {@code pred_boxes}
     * @param query the prompt it was run with
     * @param width the image's width in pixels
     * @param height the image's height in pixels
     */
    public static DetectionResult build(QueryOutputs outputs, Query query, int width, int height,
            DetectionSettings settings) {
        float box = (float) settings.boxThreshold();
        float text = (float) settings.textThreshold();
        List<Prediction> predictions;
        if (query.classes().isEmpty()) {
            predictions = Predict.predict(outputs, query.encoding(), box, text, settings.removeCombined());
        } else if (query.matching() == ClassMatching.TOKEN_SPANS) {
            predictions = Predict.predictClassSpans(outputs, query.encoding(), query.classes(), box);
        } else {
            predictions = Predict.phrasesToClasses(
                    Predict.predict(outputs, query.encoding(), box, text, settings.removeCombined()), query.classes());
        }
        if (settings.nms() != NmsMode.NONE) {
            predictions = Nms.apply(predictions, settings.nms() == NmsMode.PER_LABEL ? Nms.Grouping.PER_LABEL
                    : Nms.Grouping.CLASS_AGNOSTIC, settings.nmsIou());
        }
        List<Detection> detections = new ArrayList<>(predictions.size());
        for (Prediction p : predictions) {
            float[] xyxy = Boxes.cxcywhToPixelXyxy(p.cx(), p.cy(), p.w(), p.h(), width, height);
            List<Integer> positions = new ArrayList<>();
            for (int t : p.tokenPositions()) {
                positions.add(t);
            }
            detections.add(new Detection(p.label(), p.phrase(), p.score(), new Box(xyxy[0], xyxy[1], xyxy[2], xyxy[3]),
                    new NormalizedBox(p.cx(), p.cy(), p.w(), p.h()), positions, p.queryIndex(), p.classId()));
        }
        return new DetectionResult(width, height, query.encoding().caption(), query.classes(), detections);
    }
}
