package dev.groundingdino.internal.swin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.runtime.InferenceScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link WindowIndex} against the reference's chain of pad, roll, window_partition (and back), element for element. */
class WindowIndexTest {

    @ParameterizedTest
    @CsvSource({"5, 9, 4, 0", "5, 9, 4, 2", "8, 8, 4, 2", "7, 7, 7, 3", "1, 1, 4, 2", "10, 17, 7, 3"})
    void partitionAndMergeEqualPadRollPartitionAndItsInverse(int height, int width, int ws, int shift) {
        try (InferenceScope scope = InferenceScope.open()) {
            torch.manual_seed(3);
            long b = 2;
            long c = 3;
            Tensor x = torch.randn(b, (long) height * width, c); // (B, H*W, C)
            WindowIndex index = WindowIndex.of(height, width, ws, shift, x);

            int padR = (ws - width % ws) % ws;
            int padB = (ws - height % ws) % ws;
            Tensor h = torch.pad(x.view(b, height, width, c), 0, 0, 0, padR, 0, padB); // (B, Hp, Wp, C)
            if (shift > 0) {
                h = torch.roll(h, new long[] {-shift, -shift}, 1, 2);
            }
            Tensor expected = SwinTransformerBlock.windowPartition(h, ws).view(-1, (long) ws * ws, c); // (B*nW, N, C)
            Tensor windows = index.partition(x);
            assertThat(windows.sizes().vec().get()).containsExactly(expected.sizes().vec().get());
            assertThat(windows.equal(expected)).isTrue();

            // merge is the exact inverse on the real tokens: window order back, shift undone, padding dropped
            Tensor marked = windows.add(windows.new_ones(windows.sizes().vec().get())); // any per-window function
            Tensor merged = index.merge(marked);
            assertThat(merged.sizes().vec().get()).containsExactly(b, (long) height * width, c);
            assertThat(merged.equal(x.add(x.new_ones(x.sizes().vec().get())))).isTrue();
        }
    }
}
