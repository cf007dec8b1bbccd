package dev.groundingdino.internal.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * GroundingDINO's caption side: {@code util/inference.py::preprocess_caption}, the tokenizer call of
 * {@code models/GroundingDINO/groundingdino.py::GroundingDINO.forward} and
 * {@code models/GroundingDINO/bertwarper.py::generate_masks_with_special_tokens_and_transfer_map}.
 *
 * <p>The caption is lowercased and stripped (Python {@code str.lower().strip()}), a {@code "."} is appended unless it
 * already ends with one, and it is encoded as {@code [CLS] ... [SEP]} without truncation. The sub-sentence separators
 * are the ids of {@code [CLS]}, {@code [SEP]}, {@code "."} and {@code "?"}; scanning them in order with
 * {@code prev = 0}, a separator at column {@code c}:
 * <ul>
 *   <li>at {@code c == 0} or {@code c == n-1} attends only to itself, position id 0;</li>
 *   <li>otherwise the block {@code prev+1 .. c} (the phrase and its separator) attends within itself, with position
 *       ids {@code 0 .. c-prev-1}, and the phrase {@code prev+1 .. c-1} becomes one row of
 *       {@code cate_to_token_mask};</li>
 * </ul>
 * then {@code prev = c}. Every other token attends to itself only, position id 0. The masks are computed on the full
 * sequence; the model then uses the first {@link #MAX_TEXT_LEN} tokens ({@link CaptionEncoding#modelLength()}).
 */
public final class CaptionEncoder {
    /** {@code GroundingDINO.max_text_len}: the model sees at most this many tokens (hard-wired in the reference). */
    public static final int MAX_TEXT_LEN = 256;

    private CaptionEncoder() {}

    /** {@code preprocess_caption}: {@code caption.lower().strip()}, plus {@code "."} unless it ends with one. */
    public static String preprocess(String rawCaption) {
        Objects.requireNonNull(rawCaption, "caption");
        String caption = PythonStrings.strip(PythonStrings.lower(rawCaption));
        return caption.endsWith(".") ? caption : caption + ".";
    }

    /** Encodes a raw caption with the bert-base-uncased tokenizer. */
    public static CaptionEncoding encode(String rawCaption) {
        return encode(rawCaption, BertTokenizer.bertBaseUncased());
    }

    /** Encodes a raw caption with the given tokenizer (its ids of [CLS], [SEP], "." and "?" separate phrases). */
    public static CaptionEncoding encode(String rawCaption, BertTokenizer tokenizer) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        String caption = preprocess(rawCaption);
        List<String> tokens = tokenizer.tokenize(caption);
        int n = tokens.size() + 2;
        List<String> allTokens = new ArrayList<>(n);
        allTokens.add(BertTokenizer.CLS_TOKEN);
        allTokens.addAll(tokens);
        allTokens.add(BertTokenizer.SEP_TOKEN);
        int[] ids = new int[n];
        ids[0] = tokenizer.clsId();
        for (int i = 1; i < n - 1; i++) {
            ids[i] = tokenizer.id(allTokens.get(i));
        }
        ids[n - 1] = tokenizer.sepId();

        int[] separators = {tokenizer.clsId(), tokenizer.sepId(), tokenizer.id("."), tokenizer.id("?")};
        // The mask is eye(n) plus disjoint square blocks: kept as the block index of each token (-1: none).
        int[] blocks = new int[n];
        Arrays.fill(blocks, -1);
        long[] positions = new long[n];
        List<int[]> spans = new ArrayList<>();
        int previous = 0;
        for (int c = 0; c < n; c++) {
            if (!contains(separators, ids[c])) {
                continue;
            }
            if (c == 0 || c == n - 1) {
                positions[c] = 0; // attends to itself only (the diagonal)
            } else {
                for (int r = previous + 1; r <= c; r++) {
                    blocks[r] = spans.size();
                    positions[r] = r - previous - 1;
                }
                spans.add(new int[] {previous + 1, c});
            }
            previous = c;
        }
        return new CaptionEncoding(tokenizer, caption, allTokens, ids, positions, blocks, spans);
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}
