package dev.groundingdino.internal.groundingdino;

import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.internal.text.BertTokenizer;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The text inputs of one forward pass as groundingdino.py::GroundingDINO.forward builds them for a list of
 * captions: {@code tokenizer(captions, padding="longest")} (shorter captions padded with id 0 and attention mask
 * 0), {@code generate_masks_with_special_tokens_and_transfer_map} evaluated on the PADDED batch (so in a shorter
 * row the {@code [SEP]} is not the last column and is treated like a separator inside the text, exactly as the
 * reference does), then the cut to {@code max_text_len = 256} tokens. Plain Java arrays; {@link #tensors()} makes
 * the model inputs.
 */
public final class TextBatch {
    /** {@code GroundingDINO.max_text_len} (hard-wired 256 in the reference). */
    public static final int MAX_TEXT_LEN = 256;

    private final int batch;
    private final int length;
    private final long[] inputIds; // (B, n)
    private final long[] attentionMask; // (B, n)
    private final long[] positionIds; // (B, n)
    private final boolean[] selfAttentionMask; // (B, n, n)
    private final Padded padded; // the un-truncated padded batch the masks were derived from

    /** The padded token ids before the cut to 256, with what the masks were derived by. */
    private record Padded(int batch, int length, long[] ids, long[] attention, long[] specialTokens,
            GroundingDinoConfig.SpecialTokenMasks rule) {}

    private TextBatch(int batch, int length, long[] inputIds, long[] attentionMask, long[] positionIds,
            boolean[] selfAttentionMask, Padded padded) {
        this.batch = batch;
        this.length = length;
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.positionIds = positionIds;
        this.selfAttentionMask = selfAttentionMask;
        this.padded = padded;
    }

    /** The model inputs as tensors (created in the caller's scope). */
    public record Tensors(Tensor inputIds, Tensor tokenTypeIds, Tensor textTokenMask, Tensor positionIds,
            Tensor textSelfAttentionMasks) {}

    /**
     * The batch of the given encoded captions, one row each (the un-truncated token ids of each encoding are
     * used, so padding and masks follow the reference).
     */
    public static TextBatch of(List<CaptionEncoding> captions) {
        List<long[]> ids = new ArrayList<>(captions.size());
        for (CaptionEncoding c : captions) {
            ids.add(c.inputIds());
        }
        BertTokenizer tok = BertTokenizer.bertBaseUncased();
        return ofIds(ids, new long[] {tok.clsId(), tok.sepId(), tok.id("."), tok.id("?")});
    }

    /**
     * The batch of token id rows ({@code [CLS] ... [SEP]} each, un-truncated).
     *
     * @param rows token ids per caption
     * @param specialTokens ids that separate sub-sentences ({@code [CLS]}, {@code [SEP]}, {@code "."},
     *     {@code "?"})
     * @throws IllegalArgumentException if there is no caption or a caption has no tokens
     */
    public static TextBatch ofIds(List<long[]> rows, long[] specialTokens) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("at least one caption is required");
        }
        int b = rows.size();
        int n = 0;
        for (long[] r : rows) {
            if (r.length == 0) {
                throw new IllegalArgumentException("a caption has no tokens; encode it with [CLS] and [SEP]");
            }
            n = Math.max(n, r.length);
        }
        long[] ids = new long[b * n]; // padding id 0 = [PAD]
        long[] attention = new long[b * n];
        for (int i = 0; i < b; i++) {
            long[] r = rows.get(i);
            System.arraycopy(r, 0, ids, i * n, r.length);
            Arrays.fill(attention, i * n, i * n + r.length, 1L);
        }
        return ofPadded(b, n, ids, attention, specialTokens, GroundingDinoConfig.SpecialTokenMasks.REFERENCE);
    }

    /**
     * The batch of already padded token ids, e.g. a tokenizer's {@code input_ids} / {@code attention_mask} given to
     * a model directly: the masks and position ids are derived from the ids by {@code rule}, then everything is cut
     * to 256 tokens.
     *
     * @param b rows
     * @param n tokens per row (before the cut)
     * @param ids (B, n) row-major token ids
     * @param attention (B, n) row-major, non-zero on real tokens
     * @param specialTokens ids that separate sub-sentences ({@code [CLS]}, {@code [SEP]}, {@code "."}, {@code "?"})
     * @param rule how the masks are derived
     * @throws IllegalArgumentException if the sizes do not match
     */
    public static TextBatch ofPadded(int b, int n, long[] ids, long[] attention, long[] specialTokens,
            GroundingDinoConfig.SpecialTokenMasks rule) {
        if (b < 1 || n < 1 || ids.length != (long) b * n || attention.length != ids.length) {
            throw new IllegalArgumentException("expected " + b + " x " + n + " token ids and attention mask values, "
                    + "got " + ids.length + " and " + attention.length);
        }
        Padded padded = new Padded(b, n, ids.clone(), attention.clone(), specialTokens.clone(), rule);
        ids = padded.ids();
        attention = padded.attention();
        // generate_masks_with_special_tokens_and_transfer_map on the padded (B, n) ids
        boolean[] mask = new boolean[b * n * n];
        long[] positions = new long[b * n];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < n; c++) {
                mask[(i * n + c) * n + c] = true; // eye
            }
        }
        if (rule == GroundingDinoConfig.SpecialTokenMasks.REFERENCE) {
            int previous = 0;
            for (int i = 0; i < b; i++) {
                for (int c = 0; c < n; c++) {
                    if (!isSpecial(ids[i * n + c], specialTokens)) {
                        continue;
                    }
                    if (c == 0 || c == n - 1) {
                        positions[i * n + c] = 0;
                    } else {
                        for (int r = previous + 1; r <= c; r++) {
                            for (int k = previous + 1; k <= c; k++) {
                                mask[(i * n + r) * n + k] = true;
                            }
                            positions[i * n + r] = r - previous - 1;
                        }
                    }
                    previous = c;
                }
            }
        } else {
            perRowMasks(b, n, ids, specialTokens, mask, positions);
        }
        if (n <= MAX_TEXT_LEN) {
            return new TextBatch(b, n, ids, attention, positions, mask, padded);
        }
        int m = MAX_TEXT_LEN;
        long[] ids2 = new long[b * m];
        long[] att2 = new long[b * m];
        long[] pos2 = new long[b * m];
        boolean[] mask2 = new boolean[b * m * m];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids, i * n, ids2, i * m, m);
            System.arraycopy(attention, i * n, att2, i * m, m);
            System.arraycopy(positions, i * n, pos2, i * m, m);
            for (int r = 0; r < m; r++) {
                System.arraycopy(mask, (i * n + r) * n, mask2, (i * m + r) * m, m);
            }
        }
        return new TextBatch(b, m, ids2, att2, pos2, mask2, padded);
    }

    /**
     * transformers' vectorised masks, row by row: a token belongs to the block closed by the next special token at
     * or after it; blocks closed at column 0, at the last column or by no special token are not blocks (the token
     * only attends to itself, position 0); inside a block tokens attend to each other and the position id is the
     * distance to the previous special token minus one, at least 0 (so a separator itself gets 0).
     */
    private static void perRowMasks(int b, int n, long[] ids, long[] specialTokens, boolean[] mask, long[] positions) {
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < b; i++) {
            int last = -1;
            for (int c = 0; c < n; c++) {
                if (isSpecial(ids[i * n + c], specialTokens)) {
                    last = c;
                }
                prev[c] = last;
            }
            int following = n;
            for (int c = n - 1; c >= 0; c--) {
                if (isSpecial(ids[i * n + c], specialTokens)) {
                    following = c;
                }
                next[c] = following;
            }
            for (int r = 0; r < n; r++) {
                boolean valid = next[r] != 0 && next[r] != n - 1 && next[r] != n;
                if (!valid) {
                    continue; // eye only, position 0
                }
                positions[i * n + r] = Math.max(r - prev[r] - 1, 0);
                for (int k = 0; k < n; k++) {
                    if (next[k] == next[r]) {
                        mask[(i * n + r) * n + k] = true;
                    }
                }
            }
        }
    }

    /** This batch with its masks and position ids derived by {@code rule} (this batch if it already was). */
    public TextBatch withSpecialTokenMasks(GroundingDinoConfig.SpecialTokenMasks rule) {
        if (padded.rule() == rule) {
            return this;
        }
        TextBatch again = ofPadded(padded.batch(), padded.length(), padded.ids(), padded.attention(),
                padded.specialTokens(), rule);
        return batch == padded.batch() ? again : again.repeat(batch / padded.batch());
    }

    /** This batch repeated to {@code copies} rows (one caption for several images). */
    public TextBatch repeat(int copies) {
        if (batch != 1) {
            throw new IllegalStateException("only a single caption can be repeated, this batch has " + batch);
        }
        int n = length;
        long[] ids = new long[copies * n];
        long[] att = new long[copies * n];
        long[] pos = new long[copies * n];
        boolean[] mask = new boolean[copies * n * n];
        for (int i = 0; i < copies; i++) {
            System.arraycopy(inputIds, 0, ids, i * n, n);
            System.arraycopy(attentionMask, 0, att, i * n, n);
            System.arraycopy(positionIds, 0, pos, i * n, n);
            System.arraycopy(selfAttentionMask, 0, mask, i * n * n, n * n);
        }
        return new TextBatch(copies, n, ids, att, pos, mask, padded);
    }

    public int batch() {
        return batch;
    }

    /** Tokens per row as the model sees them (padded length, at most 256). */
    public int length() {
        return length;
    }

    /** Row-major (B, n) copies. */
    public long[] inputIds() {
        return inputIds.clone();
    }

    public long[] attentionMask() {
        return attentionMask.clone();
    }

    public long[] positionIds() {
        return positionIds.clone();
    }

    /** Row-major (B, n, n) copy; true = may attend. */
    public boolean[] selfAttentionMask() {
        return selfAttentionMask.clone();
    }

    /** The model inputs as tensors in the caller's scope (CPU; move them with the model's device). */
    public Tensors tensors() {
        long[] tokenTypes = new long[inputIds.length];
        long[] maskAsLong = new long[selfAttentionMask.length];
        for (int i = 0; i < maskAsLong.length; i++) {
            maskAsLong[i] = selfAttentionMask[i] ? 1 : 0;
        }
        return new Tensors(
                tensor(inputIds).view(batch, length), // (B, n)
                tensor(tokenTypes).view(batch, length), // (B, n)
                tensor(attentionMask).view(batch, length).to(ScalarType.Bool), // (B, n)
                tensor(positionIds).view(batch, length), // (B, n)
                tensor(maskAsLong).view(batch, length, length).to(ScalarType.Bool)); // (B, n, n)
    }

    private static boolean isSpecial(long id, long[] special) {
        for (long s : special) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }
}
