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
     * @param outputs the image's {@code pred_logits} / {@code pred_boxes}, one per part of the query (its captions)
     * @param query the prompt it was run with
     * @param width the image's width in pixels
     * @param height the image's height in pixels
     */
    public static DetectionResult build(List<QueryOutputs> outputs, Query query, int width, int height,
            DetectionSettings settings) {
        if (outputs.size() != query.parts().size()) {
            throw new IllegalArgumentException(outputs.size() + " outputs for " + query.parts().size() + " captions");
        }
        float box = (float) settings.boxThreshold();
        float text = (float) settings.textThreshold();
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Query.Part part = query.parts().get(i);
            QueryOutputs o = outputs.get(i);
            if (query.classes().isEmpty()) {
                predictions.addAll(Predict.predict(o, part.encoding(), box, text, settings.removeCombined()));
            } else if (query.matching() == ClassMatching.TOKEN_SPANS) {
                // the union of the chunks, each class id offset by the chunk's first class
                for (Prediction p : Predict.predictClassSpans(o, part.encoding(), part.classes(), box)) {
                    predictions.add(p.withClass(p.classId() + part.first(), p.label()));
                }
            } else {
                predictions.addAll(Predict.phrasesToClasses(
                        Predict.predict(o, part.encoding(), box, text, settings.removeCombined()), part.classes()));
            }
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
        List<DetectionResult.Chunk> chunks = new ArrayList<>();
        if (!query.classes().isEmpty()) {
            for (Query.Part part : query.parts()) {
                chunks.add(new DetectionResult.Chunk(part.first(), part.end()));
            }
        }
        return new DetectionResult(width, height, query.caption(), query.classes(), chunks, detections);
    }
}
