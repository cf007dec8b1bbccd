package dev.groundingdino.internal.text;

import dev.groundingdino.PromptException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits a class list whose caption is longer than the model's {@value CaptionEncoder#MAX_TEXT_LEN} tokens into
 * chunks the model sees whole: in order, each chunk is the longest run of consecutive classes whose class-list
 * caption ({@code ". ".join(chunk) + "."}) fits {@value CaptionEncoder#MAX_TEXT_LEN} tokens with {@code [CLS]} and
 * {@code [SEP]}.
 *
 * <p>The tokenizer splits on whitespace and punctuation first, so a class-list caption's tokens are
 * {@code [CLS]}, then for every class its own tokens and one {@code "."}, then {@code [SEP]}: a class costs the tokens
 * of its name plus one, and a chunk fits when {@code 2 + sum(cost) <= 256}. Each chunk's caption is encoded again by
 * the caller, who checks that count ({@link #checkLength}).
 */
public final class ClassListChunker {
    /** Tokens of a chunk besides its classes: {@code [CLS]} and {@code [SEP]}. */
    private static final int SPECIAL_TOKENS = 2;

    /**
     * Classes {@code [first, end)} of the list.
     *
     * @param first index of the first class of the chunk
     * @param end one past the last class of the chunk
     * @param tokens tokens of the chunk's caption, {@code [CLS]} and {@code [SEP]} included
     */
    public record Range(int first, int end, int tokens) {
        public Range {
            if (first < 0 || end <= first) {
                throw new IllegalArgumentException("chunk [" + first + ", " + end + ") holds no class");
            }
        }

        public int size() {
            return end - first;
        }
    }

    private ClassListChunker() {}

    /** Tokens a class adds to a class-list caption: its own tokens and the {@code "."} after it. */
    public static int cost(String className) {
        return BertTokenizer.bertBaseUncased().tokenize(CaptionEncoder.preprocess(className)).size(); // name .
    }

    /**
     * The chunks of {@code classes}: one range covering every class when the whole caption fits.
     *
     * @throws PromptException naming the first class whose caption alone is over 256 tokens
     */
    public static List<Range> split(List<String> classes) {
        Objects.requireNonNull(classes, "classes");
        int budget = CaptionEncoder.MAX_TEXT_LEN - SPECIAL_TOKENS;
        List<Range> out = new ArrayList<>();
        int first = 0;
        int used = 0;
        for (int i = 0; i < classes.size(); i++) {
            int cost = cost(classes.get(i));
            if (cost > budget) {
                throw new PromptException("class " + i + " (\"" + abbreviate(classes.get(i)) + "\") has " + (cost - 1)
                        + " tokens; with [CLS], [SEP] and its \".\" that is " + (cost + SPECIAL_TOKENS)
                        + " and the model sees at most " + CaptionEncoder.MAX_TEXT_LEN + " tokens: shorten the name");
            }
            if (used + cost > budget) {
                out.add(new Range(first, i, used + SPECIAL_TOKENS));
                first = i;
                used = 0;
            }
            used += cost;
        }
        if (!classes.isEmpty()) {
            out.add(new Range(first, classes.size(), used + SPECIAL_TOKENS));
        }
        return out;
    }

    /**
     * Checks a chunk's encoded caption against the count {@link #split} made (they agree unless the tokenizer joins
     * tokens across a class boundary, which it never does).
     */
    public static void checkLength(Range range, CaptionEncoding encoding) {
        if (encoding.length() != range.tokens()) {
            throw new IllegalStateException("chunk [" + range.first() + ", " + range.end() + ") was counted as "
                    + range.tokens() + " tokens but its caption has " + encoding.length() + ": \""
                    + abbreviate(encoding.caption()) + "\"");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
