package dev.groundingdino;

import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How GroundingDINO's text side sees a prompt: the preprocessed caption (lowercased, stripped, ending with
 * {@code "."}), its BERT ({@code bert-base-uncased}) tokens and ids, the sub-sentence position ids, and the phrases
 * with their token spans. Identical to the reference's tokenizer and {@code generate_masks_with_special_tokens}.
 *
 * @param caption the preprocessed caption
 * @param tokens the tokens, {@code [CLS]} first and {@code [SEP]} last
 * @param inputIds the token ids
 * @param positionIds the sub-sentence position ids (restarting after every separator)
 * @param phrases the phrases between separators
 * @param truncated whether the model sees only the first 256 tokens
 */
public record Tokenization(String caption, List<String> tokens, long[] inputIds, long[] positionIds,
        List<Phrase> phrases, boolean truncated) {

    /**
     * A phrase of the caption: its text and token span {@code [start, end)}.
     *
     * @param text the decoded phrase
     * @param start its first token
     * @param end one past its last token (the separator after it)
     */
    public record Phrase(String text, int start, int end) {}

    public Tokenization {
        Objects.requireNonNull(caption, "caption");
        tokens = List.copyOf(tokens);
        inputIds = inputIds.clone();
        positionIds = positionIds.clone();
        phrases = List.copyOf(phrases);
    }

    /**
     * Tokenizes {@code prompt} as {@link Detector#detect} would.
     *
     * @throws PromptException if the prompt is null or blank
     */
    public static Tokenization of(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            throw new PromptException("the prompt is " + (prompt == null ? "null" : "empty") + "; give the objects to "
                    + "find, e.g. \"cat . dog\"");
        }
        CaptionEncoding enc = CaptionEncoder.encode(prompt);
        List<Phrase> phrases = new ArrayList<>();
        for (CaptionEncoding.Phrase p : enc.phrases()) {
            phrases.add(new Phrase(p.text(), p.start(), p.end()));
        }
        return new Tokenization(enc.caption(), enc.tokens(), enc.inputIds(), enc.positionIds(), phrases,
                enc.truncated());
    }

    /** A copy of the token ids. */
    @Override
    public long[] inputIds() {
        return inputIds.clone();
    }

    /** A copy of the position ids. */
    @Override
    public long[] positionIds() {
        return positionIds.clone();
    }

    /** The number of tokens. */
    public int size() {
        return tokens.size();
    }
}
