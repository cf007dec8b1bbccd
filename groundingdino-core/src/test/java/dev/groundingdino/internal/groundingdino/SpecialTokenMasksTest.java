package dev.groundingdino.internal.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.groundingdino.GroundingDinoConfig.SpecialTokenMasks;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two derivations of the sub-sentence masks and position ids from token ids: the reference's loop and
 * transformers' per-row version (hand-computed expectations).
 */
class SpecialTokenMasksTest {
    private static final long[] SPECIAL = {101, 102, 1012, 1029};
    private static final long CLS = 101;
    private static final long SEP = 102;
    private static final long DOT = 1012;

    @Test
    void separatorsGetPositionZeroPerRowAndTheirOffsetInTheReference() {
        long[] ids = {CLS, 4937, DOT, 3899, DOT, SEP}; // [CLS] cat . dog . [SEP]
        TextBatch ref = batch(SpecialTokenMasks.REFERENCE, 1, ids);
        TextBatch hf = batch(SpecialTokenMasks.PER_ROW, 1, ids);
        assertThat(ref.positionIds()).containsExactly(0, 0, 1, 0, 1, 0);
        assertThat(hf.positionIds()).containsExactly(0, 0, 0, 0, 0, 0);
        // the masks agree: {cat, .} and {dog, .} are blocks, [CLS] and [SEP] see only themselves
        assertThat(hf.selfAttentionMask()).containsExactly(ref.selfAttentionMask());
        boolean[] m = hf.selfAttentionMask();
        assertThat(m[1 * 6 + 2]).isTrue();
        assertThat(m[2 * 6 + 1]).isTrue();
        assertThat(m[1 * 6 + 3]).isFalse();
        assertThat(m[0 * 6 + 1]).isFalse();
        assertThat(m[5 * 6 + 4]).isFalse();
    }

    @Test
    void tokensBeforeTheFinalSepAreNoBlockInBothAndWordsCountFromZero() {
        long[] ids = {CLS, 1037, 2417, 4744, DOT, 12824, SEP}; // [CLS] a red truck . tire [SEP]
        TextBatch ref = batch(SpecialTokenMasks.REFERENCE, 1, ids);
        TextBatch hf = batch(SpecialTokenMasks.PER_ROW, 1, ids);
        assertThat(ref.positionIds()).containsExactly(0, 0, 1, 2, 3, 0, 0);
        assertThat(hf.positionIds()).containsExactly(0, 0, 1, 2, 0, 0, 0);
        boolean[] m = hf.selfAttentionMask();
        int n = 7;
        assertThat(m[5 * n + 5]).isTrue(); // "tire" only attends to itself (its block closes at the last column)
        assertThat(m[5 * n + 4]).isFalse();
        assertThat(m[1 * n + 4]).isTrue();
        assertThat(hf.selfAttentionMask()).containsExactly(ref.selfAttentionMask());
    }

    @Test
    void perRowDoesNotCarryTheSeparatorIntoTheNextRow() {
        long[] shortRow = {CLS, 4937, DOT, SEP, 0, 0};
        long[] longRow = {CLS, 4937, DOT, 3899, DOT, SEP};
        long[] ids = new long[12];
        System.arraycopy(shortRow, 0, ids, 0, 6);
        System.arraycopy(longRow, 0, ids, 6, 6);
        long[] attention = {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};
        TextBatch hf = TextBatch.ofPadded(2, 6, ids, attention, SPECIAL, SpecialTokenMasks.PER_ROW);
        TextBatch alone = batch(SpecialTokenMasks.PER_ROW, 1, longRow);
        assertThat(Arrays.copyOfRange(hf.positionIds(), 6, 12)).containsExactly(alone.positionIds());
        assertThat(Arrays.copyOfRange(hf.selfAttentionMask(), 36, 72)).containsExactly(alone.selfAttentionMask());
        // in the short row the [SEP] is not the last column: a block of its own; the padding sees only itself
        boolean[] m = hf.selfAttentionMask();
        assertThat(m[3 * 6 + 3]).isTrue();
        assertThat(m[3 * 6 + 2]).isFalse();
        assertThat(m[4 * 6 + 3]).isFalse();
        assertThat(Arrays.copyOfRange(hf.positionIds(), 0, 6)).containsExactly(0, 0, 0, 0, 0, 0);
        // the reference's loop carries the last separator column of row 0 (3) into row 1: row 1's "cat ." block
        // starts after column 3, so its "dog ." block is rows 4..4 and "cat" gets no block
        TextBatch ref = TextBatch.ofPadded(2, 6, ids, attention, SPECIAL, SpecialTokenMasks.REFERENCE);
        assertThat(Arrays.copyOfRange(ref.positionIds(), 6, 12)).isNotEqualTo(alone.positionIds());
    }

    @Test
    void masksAreDerivedBeforeTheCutTo256AndRederivedOnDemand() {
        int n = 300;
        long[] ids = new long[n];
        Arrays.fill(ids, 4937);
        ids[0] = CLS;
        ids[270] = DOT;
        ids[n - 1] = SEP;
        long[] attention = new long[n];
        Arrays.fill(attention, 1);
        TextBatch hf = TextBatch.ofPadded(1, n, ids, attention, SPECIAL, SpecialTokenMasks.PER_ROW);
        assertThat(hf.length()).isEqualTo(256);
        assertThat(hf.positionIds()[255]).isEqualTo(254); // in the block closed by the dot at 270
        assertThat(hf.selfAttentionMask()[255 * 256 + 1]).isTrue();

        TextBatch ref = TextBatch.ofIds(List.of(ids), SPECIAL);
        TextBatch again = ref.withSpecialTokenMasks(SpecialTokenMasks.PER_ROW);
        assertThat(again.positionIds()).containsExactly(hf.positionIds());
        assertThat(again.selfAttentionMask()).containsExactly(hf.selfAttentionMask());
        assertThat(ref.withSpecialTokenMasks(SpecialTokenMasks.REFERENCE)).isSameAs(ref);
        TextBatch repeated = ref.repeat(3).withSpecialTokenMasks(SpecialTokenMasks.PER_ROW);
        assertThat(repeated.batch()).isEqualTo(3);
        assertThat(Arrays.copyOfRange(repeated.positionIds(), 512, 768)).containsExactly(hf.positionIds());
    }

    private static TextBatch batch(SpecialTokenMasks rule, int b, long[] ids) {
        long[] attention = new long[ids.length];
        Arrays.fill(attention, 1);
        return TextBatch.ofPadded(b, ids.length / b, ids, attention, SPECIAL, rule);
    }
}
