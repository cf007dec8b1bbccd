package dev.groundingdino.internal.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference's text batching: padding="longest", masks computed on the padded ids, cut to 256. */
class TextBatchTest {
    private static final long[] SPECIAL = {101, 102, 1012, 1029};

    @Test
    void singleCaptionEqualsTheEncoding() {
        CaptionEncoding e = CaptionEncoder.encode("Cat . Dog");
        TextBatch b = TextBatch.of(List.of(e));
        assertThat(b.batch()).isEqualTo(1);
        assertThat(b.length()).isEqualTo(e.modelLength());
        assertThat(b.inputIds()).containsExactly(e.modelInputIds());
        assertThat(b.attentionMask()).containsExactly(e.modelAttentionMask());
        assertThat(b.positionIds()).containsExactly(e.modelPositionIds());
        assertThat(b.selfAttentionMask()).containsExactly(e.modelSelfAttentionMask());
        assertThat(b.positionIds()).containsExactly(0, 0, 1, 0, 1, 0);
    }

    @Test
    void shorterCaptionsArePaddedLikeTheReference() {
        // [CLS] cat . dog [SEP] (no final dot) next to a longer caption: in the padded batch the short row's [SEP]
        // is not the last column, so the reference puts "dog [SEP]" into one block with positions 0, 1
        long[] shortRow = {101, 4937, 1012, 3899, 102};
        long[] longRow = {101, 4937, 1012, 3899, 1012, 4049, 1012, 102};
        TextBatch b = TextBatch.ofIds(List.of(shortRow, longRow), SPECIAL);
        int n = 8;
        assertThat(b.length()).isEqualTo(n);
        assertThat(Arrays.copyOfRange(b.inputIds(), 0, n)).containsExactly(101, 4937, 1012, 3899, 102, 0, 0, 0);
        assertThat(Arrays.copyOfRange(b.attentionMask(), 0, n)).containsExactly(1, 1, 1, 1, 1, 0, 0, 0);
        assertThat(Arrays.copyOfRange(b.positionIds(), 0, n)).containsExactly(0, 0, 1, 0, 1, 0, 0, 0);
        boolean[] m = b.selfAttentionMask();
        assertThat(m[3 * n + 4]).isTrue(); // dog <-> [SEP]
        assertThat(m[4 * n + 3]).isTrue();
        assertThat(m[1 * n + 2]).isTrue(); // cat <-> .
        assertThat(m[1 * n + 3]).isFalse();
        for (int pad = 5; pad < n; pad++) { // padding tokens see only themselves
            for (int c = 0; c < n; c++) {
                assertThat(m[pad * n + c]).isEqualTo(pad == c);
            }
        }
        // the longer row is unaffected by the batch
        TextBatch alone = TextBatch.ofIds(List.of(longRow), SPECIAL);
        assertThat(Arrays.copyOfRange(b.positionIds(), n, 2 * n)).containsExactly(alone.positionIds());
        assertThat(Arrays.copyOfRange(m, n * n, 2 * n * n)).containsExactly(alone.selfAttentionMask());
    }

    @Test
    void dottedCaptionsKeepTheirSingleMasksInABatch() {
        CaptionEncoding a = CaptionEncoder.encode("cat . dog .");
        CaptionEncoding b = CaptionEncoder.encode("a red truck . a tire . a window");
        TextBatch batch = TextBatch.of(List.of(a, b));
        int n = batch.length();
        assertThat(n).isEqualTo(b.modelLength());
        boolean[] m = batch.selfAttentionMask();
        boolean[] single = a.modelSelfAttentionMask();
        int k = a.modelLength();
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                assertThat(m[r * n + c]).as("row %d col %d", r, c).isEqualTo(single[r * k + c]);
            }
        }
        assertThat(Arrays.copyOfRange(batch.positionIds(), 0, k)).containsExactly(a.modelPositionIds());
    }

    @Test
    void longCaptionsAreCutTo256AfterTheMasks() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            sb.append("cat . ");
        }
        CaptionEncoding e = CaptionEncoder.encode(sb.toString());
        assertThat(e.length()).isGreaterThan(256);
        TextBatch b = TextBatch.of(List.of(e));
        assertThat(b.length()).isEqualTo(256);
        assertThat(b.inputIds()).containsExactly(e.modelInputIds());
        assertThat(b.positionIds()).containsExactly(e.modelPositionIds());
        assertThat(b.selfAttentionMask()).containsExactly(e.modelSelfAttentionMask());
    }

    @Test
    void repeatCopiesOneCaption() {
        TextBatch one = TextBatch.of(List.of(CaptionEncoder.encode("cat")));
        TextBatch three = one.repeat(3);
        assertThat(three.batch()).isEqualTo(3);
        assertThat(Arrays.copyOfRange(three.inputIds(), 2 * one.length(), 3 * one.length()))
                .containsExactly(one.inputIds());
        assertThatThrownBy(() -> three.repeat(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TextBatch.ofIds(List.of(), SPECIAL)).isInstanceOf(IllegalArgumentException.class);
    }
}
