package dev.groundingdino.internal.postprocess;

import java.util.Objects;

/**
 * One query kept by {@link Predict}: the reference's {@code (box, logit, phrase)} triple of
 * {@code util/inference.py::predict}, plus where it came from.
 *
 * @param queryIndex index of the query among the model's {@code num_queries}
 * @param score the query's highest text probability ({@code prediction_logits.max(dim=1)})
 * @param cx box centre x, normalised to the image width
 * @param cy box centre y, normalised to the image height
 * @param w box width, normalised
 * @param h box height, normalised
 * @param label the label shown to people: the class name, or the phrase without special tokens, never blank
 *     ({@link dev.groundingdino.internal.text.CaptionEncoding#displayLabel})
 * @param phrase the reference's phrase ({@code get_phrases_from_posmap(...).replace(".", "")}), or the class name in
 *     the class-span mode
 * @param tokenPositions the caption token positions that produced the label, ascending
 * @param classId index into the class list of a class-list call, {@code -1} when there is none or no class matched
 */
public record Prediction(int queryIndex, float score, float cx, float cy, float w, float h, String label,
        String phrase, int[] tokenPositions, int classId) {

    public Prediction {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(phrase, "phrase");
        tokenPositions = tokenPositions.clone();
    }

    /** A copy of the token positions. */
    @Override
    public int[] tokenPositions() {
        return tokenPositions.clone();
    }

    /** This prediction with another class id and label. */
    public Prediction withClass(int id, String newLabel) {
        return new Prediction(queryIndex, score, cx, cy, w, h, newLabel, phrase, tokenPositions, id);
    }
}
