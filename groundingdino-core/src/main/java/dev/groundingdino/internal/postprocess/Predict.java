package dev.groundingdino.internal.postprocess;

import dev.groundingdino.internal.text.CaptionEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The post-processing of {@code groundingdino/util/inference.py::predict}, on one image's outputs:
 * <ol>
 *   <li>{@code prob = sigmoid(pred_logits)} in float32;</li>
 *   <li>keep query {@code q} iff {@code max(prob[q]) > box_threshold} (strict, compared in float32), in query order
 *       (never sorted by score); its score is that maximum and its box the raw {@code pred_boxes[q]};</li>
 *   <li>its phrase is {@code get_phrases_from_posmap(prob[q] > text_threshold, ...).replace(".", "")}
 *       ({@link CaptionEncoding#phrase(float[], float)}: posmap column 0 and columns from 255 on never count), or with
 *       {@code remove_combined=True} only the columns between the separators ({@code [CLS]}, {@code [SEP]},
 *       {@code "."}) around the query's arg-max column ({@link CaptionEncoding#combinedSpan(float[])}).
 *   </li>
 * </ol>
 * Thresholds are float32 values, as torch compares a float tensor with a Python float. Stateless and thread-safe.
 */
public final class Predict {
    private Predict() {}

    /**
     * torch's float32 {@code sigmoid}: {@code 1 / (1 + exp(-x))} with every step rounded to float32 (this reproduces
     * the reference's scores bit for bit on the golden data). {@code -inf} gives 0.
     */
    public static float sigmoid(float x) {
        return 1.0f / (1.0f + (float) Math.exp(-x));
    }

    /**
     * {@code predict(model, image, caption, box_threshold, text_threshold, remove_combined)} given the model outputs.
     *
     * @param outputs one image's {@code pred_logits} / {@code pred_boxes}
     * @param caption the encoded caption the model saw
     * @param boxThreshold the box threshold as float32
     * @param textThreshold the text threshold as float32
     * @param removeCombined the reference's {@code remove_combined} flag
     * @return the kept queries in query order; {@link Prediction#classId()} is -1
     */
    public static List<Prediction> predict(QueryOutputs outputs, CaptionEncoding caption, float boxThreshold,
            float textThreshold, boolean removeCombined) {
        Objects.requireNonNull(outputs, "outputs");
        Objects.requireNonNull(caption, "caption");
        List<Prediction> out = new ArrayList<>();
        for (int q = 0; q < outputs.queries(); q++) {
            float[] prob = outputs.probabilities(q);
            float max = max(prob);
            if (!(max > boxThreshold)) {
                continue;
            }
            String phrase;
            int[] positions;
            if (removeCombined) {
                int[] span = caption.combinedSpan(prob);
                phrase = caption.phraseInSpan(prob, textThreshold, span);
                positions = above(prob, textThreshold, span[0] + 1, span[1]);
            } else {
                phrase = caption.phrase(prob, textThreshold);
                positions = above(prob, textThreshold, 1, CaptionEncoding.PHRASE_RIGHT_LIMIT);
            }
            float[] box = outputs.box(q);
            out.add(new Prediction(q, max, box[0], box[1], box[2], box[3], caption.displayLabel(phrase, prob),
                    phrase, positions, -1));
        }
        return out;
    }

    /**
     * {@code Model.phrases2classes}: each prediction gets the index of the FIRST class (in list order) that occurs
     * in its phrase as a substring (case-sensitive, like Python's {@code class_ in phrase}), or -1 (the reference's
     * {@code None}).
     */
    public static List<Prediction> phrasesToClasses(List<Prediction> predictions, List<String> classes) {
        List<Prediction> out = new ArrayList<>(predictions.size());
        for (Prediction p : predictions) {
            int id = -1;
            for (int k = 0; k < classes.size(); k++) {
                if (p.phrase().contains(classes.get(k))) {
                    id = k;
                    break;
                }
            }
            out.add(id < 0 ? p.withClass(id, p.label()) : p.withClass(id, classes.get(id)));
        }
        return out;
    }

    /**
     * Class-span scoring, an alternative to {@link #phrasesToClasses}: class {@code k} is scored by the highest
     * probability over ITS OWN tokens (the {@code k}-th phrase span of the caption, separators excluded), the query
     * takes the best class (the first on ties), and is kept iff that score is {@code > boxThreshold}. The label is
     * the class name as given, so labels never merge ("cat dog") and never contain {@code [SEP]}; the token positions
     * are the class's span.
     *
     * @param caption the encoding of {@code String.join(". ", classes)}; it must have one phrase per class
     * @throws IllegalArgumentException if the caption's phrases do not correspond one to one to the classes
     */
    public static List<Prediction> predictClassSpans(QueryOutputs outputs, CaptionEncoding caption,
            List<String> classes, float boxThreshold) {
        List<CaptionEncoding.Phrase> spans = caption.phrases();
        if (spans.size() != classes.size()) {
            throw new IllegalArgumentException(classes.size() + " classes but the caption \"" + caption.caption()
                    + "\" has " + spans.size() + " phrases; a class name must not contain '.' or '?' (they separate "
                    + "phrases)");
        }
        List<Prediction> out = new ArrayList<>();
        for (int q = 0; q < outputs.queries(); q++) {
            float[] prob = outputs.probabilities(q);
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < spans.size(); k++) {
                CaptionEncoding.Phrase span = spans.get(k);
                int end = Math.min(span.end(), prob.length);
                for (int i = span.start(); i < end; i++) {
                    if (prob[i] > bestScore) {
                        bestScore = prob[i];
                        best = k;
                    }
                }
            }
            if (best < 0 || !(bestScore > boxThreshold)) {
                continue;
            }
            CaptionEncoding.Phrase span = spans.get(best);
            int end = Math.min(span.end(), prob.length);
            int[] positions = new int[end - span.start()];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = span.start() + i;
            }
            float[] box = outputs.box(q);
            out.add(new Prediction(q, bestScore, box[0], box[1], box[2], box[3], classes.get(best), classes.get(best),
                    positions, best));
        }
        return out;
    }

    /** Positions {@code i} in {@code [from, to)} (clipped to the row) with {@code prob[i] > threshold}. */
    private static int[] above(float[] prob, float threshold, int from, int to) {
        int[] out = new int[prob.length];
        int n = 0;
        for (int i = Math.max(from, 0); i < Math.min(to, prob.length); i++) {
            if (prob[i] > threshold) {
                out[n++] = i;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** torch's max over a row: NaN wins. */
    private static float max(float[] values) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            if (Float.isNaN(v)) {
                return v;
            }
            if (v > m) {
                m = v;
            }
        }
        return m;
    }
}
