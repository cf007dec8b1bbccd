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

    private TextBatch(int batch, int length, long[] inputIds, long[] attentionMask, long[] positionIds,
            boolean[] selfAttentionMask) {
        this.batch = batch;
        this.length = length;
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.positionIds = positionIds;
        this.selfAttentionMask = selfAttentionMask;
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
        // generate_masks_with_special_tokens_and_transfer_map on the padded (B, n) ids
        boolean[] mask = new boolean[b * n * n];
        long[] positions = new long[b * n];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < n; c++) {
                mask[(i * n + c) * n + c] = true; // eye
            }
        }
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
        if (n <= MAX_TEXT_LEN) {
            return new TextBatch(b, n, ids, attention, positions, mask);
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
        return new TextBatch(b, m, ids2, att2, pos2, mask2);
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
        return new TextBatch(copies, n, ids, att, pos, mask);
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
