package dev.groundingdino.internal.detector;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.Prompt;
import dev.groundingdino.PromptException;
import dev.groundingdino.internal.text.BertTokenizer;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import dev.groundingdino.internal.text.ClassListChunker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validated prompt and its encoding: a free text prompt, or a class list with how its classes are matched, and the
 * captions the model runs on ({@link #parts()}): one, or for a {@link ClassMatching#TOKEN_SPANS} class list over 256
 * tokens, one per chunk of the list ({@link ClassListChunker}).
 *
 * @param caption the preprocessed caption of the whole prompt (for a chunked class list: the chunks' captions joined
 *     with {@code " "}, longer than the model sees)
 * @param classes the class list, empty for a free prompt
 * @param matching how a class list is matched (null for a free prompt)
 * @param parts the captions of the forward passes, in class order
 */
public record Query(String caption, List<String> classes, ClassMatching matching, List<Part> parts) {
    /**
     * One forward pass's caption.
     *
     * @param encoding its tokenized caption (at most 256 tokens when chunked)
     * @param classes its classes (empty for a free prompt)
     * @param first index in the whole class list of its first class (its class ids are offset by this)
     */
    public record Part(CaptionEncoding encoding, List<String> classes, int first) {
        public Part {
            Objects.requireNonNull(encoding, "encoding");
            classes = List.copyOf(classes);
        }

        /** One past the index of its last class in the whole list. */
        public int end() {
            return first + classes.size();
        }
    }

    public Query {
        Objects.requireNonNull(caption, "caption");
        classes = List.copyOf(classes);
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a query runs at least one caption");
        }
    }

    /** A query on one caption (a free prompt, or a class list seen in one forward pass). */
    static Query single(CaptionEncoding encoding, List<String> classes, ClassMatching matching) {
        return new Query(encoding.caption(), classes, matching, List.of(new Part(encoding, classes, 0)));
    }

    /**
     * This query on its whole caption, as the reference runs it (a chunked class list cut after 256 tokens): itself
     * unless it is chunked. The whole caption of a chunked list is encoded here only, on demand.
     */
    public Query whole() {
        return parts.size() == 1 ? this : single(CaptionEncoder.encode(caption), classes, matching);
    }
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
        return single(enc, List.of(), null);
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
        String joined = String.join(". ", copy);
        List<ClassListChunker.Range> chunks = matching == ClassMatching.TOKEN_SPANS ? ClassListChunker.split(copy)
                : List.of(); // REFERENCE keeps the reference's cut at 256 tokens (warned)
        if (chunks.size() <= 1) {
            CaptionEncoding enc = CaptionEncoder.encode(joined);
            requireWords(enc, "the class list");
            return single(enc, copy, matching);
        }
        List<Part> parts = new ArrayList<>(chunks.size());
        for (ClassListChunker.Range r : chunks) {
            List<String> chunk = copy.subList(r.first(), r.end());
            CaptionEncoding chunkEncoding = CaptionEncoder.encode(String.join(". ", chunk));
            ClassListChunker.checkLength(r, chunkEncoding);
            requireWords(chunkEncoding, "the class list");
            parts.add(new Part(chunkEncoding, chunk, r.first()));
        }
        LOG.debug("the class list is split into {} captions of at most {} tokens", parts.size(),
                CaptionEncoder.MAX_TEXT_LEN);
        return new Query(CaptionEncoder.preprocess(joined), copy, matching, parts);
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
        return sb.append(what.contains("class list")
                ? " ClassMatching.REFERENCE keeps the reference's 256-token cut; ClassMatching.TOKEN_SPANS"
                        + " (Detector.builder(..).classMatching(..), gdino --class-matching TOKEN_SPANS) splits a long"
                        + " class list into chunks the model sees whole."
                : " Shorten it, or pass a class list (Prompt.classes) with ClassMatching.TOKEN_SPANS: it is split"
                        + " into chunks.").toString();
    }
}
