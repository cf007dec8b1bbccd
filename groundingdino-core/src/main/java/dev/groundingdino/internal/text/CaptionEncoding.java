package dev.groundingdino.internal.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One encoded GroundingDINO caption (made by {@link CaptionEncoder}): tokens, ids, the sub-sentence self-attention mask
 * and position ids of {@code bertwarper.py::generate_masks_with_special_tokens_and_transfer_map}, the phrases
 * ({@code cate_to_token_mask}), and the phrase extraction of {@code util/utils.py::get_phrases_from_posmap} as
 * {@code util/inference.py::predict} uses it.
 *
 * <p>Two views: the full sequence of {@link #length()} tokens (what the reference's tokenizer and mask function
 * return; phrases are decoded from it), and the model's view, cut to its first {@link #modelLength()}
 * {@code = min(length, 256)} tokens after the masks were computed on the full sequence. For batch size one the
 * attention mask is all ones and the token type ids all zeros. Immutable and thread-safe; every array returned is a
 * fresh copy.
 */
public final class CaptionEncoding {
    /** {@code get_phrases_from_posmap}'s default {@code right_idx}: posmap columns from 255 on never count. */
    public static final int PHRASE_RIGHT_LIMIT = 255;

    /**
     * A sub-sentence: the tokens {@code [start, end)} between two separators (the separator itself at {@code end}
     * excluded, as in {@code cate_to_token_mask}), and their decoded text.
     */
    public record Phrase(String text, int start, int end) {
        public Phrase {
            Objects.requireNonNull(text, "text");
            if (start < 1 || end < start) {
                throw new IllegalArgumentException("phrase span [" + start + ", " + end + ") is not a token span");
            }
        }
    }

    private final BertTokenizer tokenizer;
    private final String caption;
    private final List<String> tokens;
    private final int[] ids;
    private final long[] positionIds;
    /** Sub-sentence block of each token ({@code -1}: none); two tokens attend to each other iff same block. */
    private final int[] blocks;
    private final List<Phrase> phrases;

    CaptionEncoding(BertTokenizer tokenizer, String caption, List<String> tokens, int[] ids, long[] positionIds,
            int[] blocks, List<int[]> phraseSpans) {
        this.tokenizer = tokenizer;
        this.caption = caption;
        this.tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
        this.ids = ids.clone();
        this.positionIds = positionIds.clone();
        this.blocks = blocks.clone();
        List<Phrase> list = new ArrayList<>(phraseSpans.size());
        for (int[] span : phraseSpans) {
            list.add(new Phrase(tokenizer.decode(Arrays.copyOfRange(ids, span[0], span[1])), span[0], span[1]));
        }
        this.phrases = Collections.unmodifiableList(list);
    }

    /** The preprocessed caption that was tokenized (lowercased, stripped, ending with {@code "."}). */
    public String caption() {
        return caption;
    }

    /** All tokens, {@code [CLS]} first and {@code [SEP]} last. */
    public List<String> tokens() {
        return tokens;
    }

    /** Number of tokens of the full sequence, {@code [CLS]} and {@code [SEP]} included. */
    public int length() {
        return ids.length;
    }

    /** Number of tokens the model sees: {@code min(length(), 256)}. */
    public int modelLength() {
        return Math.min(ids.length, CaptionEncoder.MAX_TEXT_LEN);
    }

    /** Whether the model sees fewer tokens than the caption has (the cut sequence no longer ends with [SEP]). */
    public boolean truncated() {
        return ids.length > CaptionEncoder.MAX_TEXT_LEN;
    }

    /** The id at a position of the full sequence. */
    public int tokenId(int position) {
        Objects.checkIndex(position, ids.length);
        return ids[position];
    }

    /** {@code input_ids} of the full sequence. */
    public long[] inputIds() {
        return toLongs(ids, ids.length);
    }

    /** {@code input_ids} as the model sees them. */
    public long[] modelInputIds() {
        return toLongs(ids, modelLength());
    }

    /** {@code attention_mask} of the full sequence (all ones). */
    public long[] attentionMask() {
        return filled(ids.length, 1L);
    }

    /** {@code attention_mask} as the model sees it (all ones; the encoder's {@code text_token_mask}). */
    public long[] modelAttentionMask() {
        return filled(modelLength(), 1L);
    }

    /** {@code token_type_ids} of the full sequence (all zeros). */
    public long[] tokenTypeIds() {
        return filled(ids.length, 0L);
    }

    /** {@code token_type_ids} as the model sees them (all zeros). */
    public long[] modelTokenTypeIds() {
        return filled(modelLength(), 0L);
    }

    /** Sub-sentence position ids of the full sequence. */
    public long[] positionIds() {
        return positionIds.clone();
    }

    /** Sub-sentence position ids as the model sees them. */
    public long[] modelPositionIds() {
        return Arrays.copyOf(positionIds, modelLength());
    }

    /** Whether token {@code row} may attend to token {@code column} (full sequence). */
    public boolean attends(int row, int column) {
        Objects.checkIndex(row, ids.length);
        Objects.checkIndex(column, ids.length);
        return row == column || (blocks[row] >= 0 && blocks[row] == blocks[column]);
    }

    /**
     * {@code text_self_attention_masks[0]} of the full sequence, row-major {@code [length, length]} ({@code length^2}
     * booleans: the model needs only {@link #modelSelfAttentionMask()}).
     */
    public boolean[] selfAttentionMask() {
        return mask(ids.length);
    }

    /** The self-attention mask as the model sees it: the top-left {@code [modelLength, modelLength]}, row-major. */
    public boolean[] modelSelfAttentionMask() {
        return mask(modelLength());
    }

    private boolean[] mask(int size) {
        boolean[] out = new boolean[Math.multiplyExact(size, size)];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                out[r * size + c] = r == c || (blocks[r] >= 0 && blocks[r] == blocks[c]);
            }
        }
        return out;
    }

    /** The phrases in caption order, one per separator that is neither the first nor the last token. */
    public List<Phrase> phrases() {
        return phrases;
    }

    /** {@code cate_to_token_mask}: {@code [phrases, length]}, row {@code p} true over the tokens of phrase {@code p}. */
    public boolean[][] cateToTokenMask() {
        boolean[][] out = new boolean[phrases.size()][ids.length];
        for (int p = 0; p < phrases.size(); p++) {
            Arrays.fill(out[p], phrases.get(p).start(), phrases.get(p).end(), true);
        }
        return out;
    }

    /**
     * The phrase of one detection as {@code predict()} returns it: {@code get_phrases_from_posmap(posmap)} (posmap
     * column 0 and columns from 255 on cleared, the ids at the remaining true columns decoded with
     * {@link BertTokenizer#decode(int[])}) with every {@code "."} removed. Not stripped: {@code " [SEP]"} keeps its
     * space.
     *
     * @param posmap one flag per text column (typically the 256 logit columns of a query)
     * @throws IllegalArgumentException if a counted column is not a token of the caption (the reference fails there)
     */
    public String phrase(boolean[] posmap) {
        return phraseBetween(posmap, 0, PHRASE_RIGHT_LIMIT);
    }

    /**
     * {@link #phrase(boolean[])} with {@code posmap[i] = probabilities[i] > textThreshold}, compared in float32 as torch
     * compares a float tensor with a Python float.
     */
    public String phrase(float[] probabilities, float textThreshold) {
        return phrase(above(probabilities, textThreshold));
    }

    /**
     * The {@code remove_combined=True} phrase of {@code predict()}: the separators are the columns holding
     * {@code [CLS]}, {@code [SEP]} or {@code "."} (101, 102, 1012; not {@code "?"}); with {@code i =
     * bisect_left(separators, argmax)}, only the posmap columns strictly between {@code separators[i-1]} and
     * {@code separators[i]} count (Python indexing: for {@code i == 0} the left one is the last separator, which
     * leaves nothing). The rest is as {@link #phrase(boolean[])}, without the cut at column 255.
     *
     * @param argmax the column of the query's highest probability (first one on ties)
     * @throws IllegalArgumentException if {@code argmax} lies after the last separator, or a counted column is not a
     *     token of the caption (the reference fails in both cases)
     */
    public String phraseRemoveCombined(boolean[] posmap, int argmax) {
        int[] span = combinedSpan(argmax);
        return phraseBetween(posmap, span[0], span[1]);
    }

    /**
     * The label shown to people for a query whose reference phrase is {@code phrase}: the phrase without the special
     * tokens {@code [CLS]}, {@code [SEP]}, {@code [PAD]} (which a weak model's phrases contain), whitespace collapsed;
     * where nothing is left, the text of the prompt phrase holding the query's most probable token; where that is a
     * separator too, {@code "object"}. Never blank.
     *
     * @param phrase the reference's phrase
     * @param probabilities the query's token probabilities (for the fallback)
     */
    public String displayLabel(String phrase, float[] probabilities) {
        String clean = phrase.replace("[CLS]", " ").replace("[SEP]", " ").replace("[PAD]", " ").trim()
                .replaceAll("\\s+", " ");
        if (!clean.isEmpty()) {
            return clean;
        }
        int best = -1;
        float bestProb = Float.NEGATIVE_INFINITY;
        for (int i = 1; i < Math.min(probabilities.length, length()); i++) {
            if (probabilities[i] > bestProb) {
                bestProb = probabilities[i];
                best = i;
            }
        }
        for (Phrase p : phrases()) {
            if (best >= p.start() && best < p.end() && !p.text().isBlank()) {
                return p.text().trim();
            }
        }
        return "object";
    }

    /**
     * The separator columns {@code (left, right)} of the {@code remove_combined} phrase of one query: around the
     * arg-max of {@code probabilities} (torch's: first NaN, else first maximum), see
     * {@link #phraseRemoveCombined(boolean[], int)}. The phrase and the token positions are the columns strictly
     * between them.
     *
     * @throws IllegalArgumentException if the arg-max lies after the last separator (the reference fails)
     */
    public int[] combinedSpan(float[] probabilities) {
        return combinedSpan(argmax(probabilities));
    }

    /** The phrase of the columns {@code p > textThreshold} strictly inside {@code span} ({@link #combinedSpan}). */
    public String phraseInSpan(float[] probabilities, float textThreshold, int[] span) {
        return phraseBetween(above(probabilities, textThreshold), span[0], span[1]);
    }

    /** {@code bisect_left(separators, argmax)} and its neighbours, with Python's wrap-around for index -1. */
    private int[] combinedSpan(int argmax) {
        int[] separators = combinedSeparators();
        int insert = 0;
        while (insert < separators.length && separators[insert] < argmax) {
            insert++;
        }
        if (insert == separators.length) {
            throw new IllegalArgumentException("argmax column " + argmax + " lies after the last separator (column "
                    + separators[separators.length - 1] + "); remove_combined needs it inside the caption's tokens");
        }
        return new int[] {separators[insert == 0 ? separators.length - 1 : insert - 1], separators[insert]};
    }

    /**
     * {@link #phraseRemoveCombined(boolean[], int)} for one query's probabilities: {@code argmax} as torch's (first
     * NaN, else first maximum), posmap {@code p > textThreshold} in float32.
     */
    public String phraseRemoveCombined(float[] probabilities, float textThreshold) {
        return phraseRemoveCombined(above(probabilities, textThreshold), argmax(probabilities));
    }

    /** {@code get_phrases_from_posmap(posmap, ..., left_idx, right_idx).replace(".", "")}. */
    private String phraseBetween(boolean[] posmap, int left, int right) {
        Objects.requireNonNull(posmap, "posmap");
        int[] selected = new int[posmap.length];
        int count = 0;
        for (int i = left + 1; i < Math.min(right, posmap.length); i++) {
            if (posmap[i]) {
                if (i >= ids.length) {
                    throw new IllegalArgumentException("posmap column " + i + " is set but the caption has only "
                            + ids.length + " tokens; columns past the caption must be false (their logits are -inf)");
                }
                selected[count++] = ids[i];
            }
        }
        return tokenizer.decode(Arrays.copyOf(selected, count)).replace(".", "");
    }

    private int[] combinedSeparators() {
        int cls = tokenizer.clsId();
        int sep = tokenizer.sepId();
        int dot = tokenizer.id(".");
        int[] out = new int[ids.length];
        int count = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == cls || ids[i] == sep || ids[i] == dot) {
                out[count++] = i;
            }
        }
        return Arrays.copyOf(out, count);
    }

    private static boolean[] above(float[] probabilities, float threshold) {
        Objects.requireNonNull(probabilities, "probabilities");
        boolean[] out = new boolean[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = probabilities[i] > threshold;
        }
        return out;
    }

    private static int argmax(float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("cannot take the argmax of an empty probability row");
        }
        int best = 0;
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i])) {
                return i;
            }
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static long[] toLongs(int[] values, int length) {
        long[] out = new long[length];
        for (int i = 0; i < length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static long[] filled(int length, long value) {
        long[] out = new long[length];
        Arrays.fill(out, value);
        return out;
    }
}
