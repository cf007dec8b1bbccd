package dev.groundingdino.internal.detector;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.Prompt;
import dev.groundingdino.PromptException;
import dev.groundingdino.internal.text.BertTokenizer;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validated prompt and its encoding: a free text prompt, or a class list with how its classes are matched.
 *
 * @param encoding the tokenized caption
 * @param classes the class list, empty for a free prompt
 * @param matching how a class list is matched (null for a free prompt)
 */
public record Query(CaptionEncoding encoding, List<String> classes, ClassMatching matching) {
    private static final Logger LOG = LoggerFactory.getLogger(Query.class);
    /** Phrases named in the truncation warning before "and N more". */
    private static final int NAMED_PHRASES = 8;

    /**
     * Validates and encodes {@code prompt}.
     *
     * @throws PromptException if the prompt is null, blank or names nothing, or a class is blank (or, for
     *     {@link ClassMatching#TOKEN_SPANS}, contains {@code "."} or {@code "?"})
     */
    public static Query of(Prompt prompt, ClassMatching matching) {
        if (prompt == null) {
            throw new PromptException("the prompt is null; name the objects to find, e.g. Prompt.text(\"cat . dog\")");
        }
        return prompt.isClassList() ? ofClasses(prompt.classes(), matching) : ofText(prompt.text());
    }

    static Query ofText(String prompt) {
        if (prompt == null) {
            throw new PromptException("the prompt is null; name the objects to find, e.g. \"cat . dog\"");
        }
        if (prompt.isBlank()) {
            throw new PromptException("the prompt is empty; name the objects to find, e.g. \"cat . dog\"");
        }
        CaptionEncoding enc = CaptionEncoder.encode(prompt);
        requireWords(enc, "the prompt");
        return new Query(enc, List.of(), null);
    }

    static Query ofClasses(List<String> classes, ClassMatching matching) {
        Objects.requireNonNull(matching, "matching");
        if (classes.isEmpty()) {
            throw new PromptException("the class list is empty; give the class names to find, e.g. "
                    + "Prompt.classes(\"cat\", \"dog\")");
        }
        for (int i = 0; i < classes.size(); i++) {
            String c = classes.get(i);
            if (c.isBlank()) {
                throw new PromptException("class " + i + " of " + classes + " is blank; every class needs a name");
            }
            if (matching == ClassMatching.TOKEN_SPANS && (c.contains(".") || c.contains("?"))) {
                throw new PromptException("class name \"" + c + "\" contains '.' or '?', which split it into several "
                        + "phrases; remove them (ClassMatching.TOKEN_SPANS scores each class by its own tokens)");
            }
        }
        List<String> copy = List.copyOf(classes);
        CaptionEncoding enc = CaptionEncoder.encode(String.join(". ", copy));
        requireWords(enc, "the class list");
        return new Query(enc, copy, matching);
    }

    private static void requireWords(CaptionEncoding enc, String what) {
        BertTokenizer tok = BertTokenizer.bertBaseUncased();
        int[] separators = {tok.clsId(), tok.sepId(), tok.id("."), tok.id("?")};
        for (int i = 0; i < enc.length(); i++) {
            int id = enc.tokenId(i);
            if (Arrays.stream(separators).noneMatch(s -> s == id)) {
                if (enc.truncated()) {
                    LOG.warn(truncationWarning(enc, what));
                }
                return;
            }
        }
        throw new PromptException(what + " names no object (it holds only separators such as '.'); name the objects "
                + "to find, e.g. \"cat . dog\"");
    }

    /**
     * The one-line warning for a caption over the model's 256 tokens: which phrases the model does not see (dropped)
     * or sees only in part (cut), never the whole prompt.
     */
    public static String truncationWarning(CaptionEncoding enc, String what) {
        int limit = CaptionEncoder.MAX_TEXT_LEN - 1; // the last slot the model sees is [SEP]'s place
        List<String> dropped = new ArrayList<>();
        String cut = null;
        for (CaptionEncoding.Phrase p : enc.phrases()) {
            if (p.start() >= limit) {
                dropped.add(p.text());
            } else if (p.end() > limit) {
                cut = p.text();
            }
        }
        StringBuilder sb = new StringBuilder(what).append(" has ").append(enc.length()).append(" tokens; the model "
                + "sees only the first ").append(CaptionEncoder.MAX_TEXT_LEN).append('.');
        if (cut != null) {
            sb.append(" Cut: \"").append(cut).append("\".");
        }
        if (!dropped.isEmpty()) {
            sb.append(" Dropped ").append(dropped.size()).append(dropped.size() == 1 ? " phrase: " : " phrases: ");
            for (int i = 0; i < Math.min(NAMED_PHRASES, dropped.size()); i++) {
                sb.append(i == 0 ? "" : ", ").append('"').append(dropped.get(i)).append('"');
            }
            if (dropped.size() > NAMED_PHRASES) {
                sb.append(" and ").append(dropped.size() - NAMED_PHRASES).append(" more");
            }
            sb.append('.');
        }
        return sb.append(" Split long class lists into several calls.").toString();
    }
}
