package dev.groundingdino;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;

/**
 * One detected object.
 *
 * @param label what was found, for people and exports: the matched class's name for class lists, otherwise the
 *     phrase without special tokens ({@code [CLS]}, {@code [SEP]}, {@code [PAD]}); where nothing is left (a weak
 *     model's {@code ""} or {@code "[SEP]"}), the prompt phrase around the query's most probable token, or
 *     {@code "object"}. Never empty.
 * @param phrase the phrase exactly as the reference's {@code predict()} returns it (e.g. {@code "cat"}, or with a
 *     weak model {@code "cat dog [SEP]"} or even {@code ""}), for parity checks; in
 *     {@link ClassMatching#TOKEN_SPANS} mode the class name
 * @param score confidence in (0, 1]: the query's highest text probability (float32 value)
 * @param box the box in pixels of the input image, {@code (x0, y0, x1, y1)}, not clipped
 * @param normalizedBox the same box as the model predicts it, {@code (cx, cy, w, h)} as fractions of the image size
 * @param tokenPositions positions in the tokenized caption ({@code [CLS]} = 0) whose probability passed the text
 *     threshold and produced {@code label}, ascending; in {@link ClassMatching#TOKEN_SPANS} mode the class's tokens
 * @param queryIndex which of the model's queries produced the box (detections are in query order)
 * @param classId for class-list calls the index of the matched class, {@code -1} if none matched (the reference's
 *     {@code None}) and for free prompts
 */
public record Detection(String label, String phrase, double score, Box box, NormalizedBox normalizedBox,
        List<Integer> tokenPositions, int queryIndex, int classId) {

    /** Checks nulls and copies the token positions. */
    public Detection {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(phrase, "phrase");
        if (label.isBlank()) {
            throw new InvalidValueException("a detection's label must not be blank (the reference's raw phrase goes "
                    + "to phrase)");
        }
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(normalizedBox, "normalizedBox");
        tokenPositions = List.copyOf(tokenPositions);
        if (classId < -1) {
            throw new InvalidValueException("classId must be -1 (none) or a class index, got " + classId);
        }
    }

    /** Whether a class of the class list was matched ({@code classId >= 0}). */
    public boolean hasClass() {
        return classId >= 0;
    }

    /**
     * The annotation label {@code f"{label} {logit:.2f}"}, e.g. {@code "cat 0.87"} (the score rounded half-to-even
     * on its exact binary value, as Python formats it; the reference's {@code annotate} shows the raw phrase).
     */
    public String caption() {
        return label + " " + new BigDecimal(score).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }
}
