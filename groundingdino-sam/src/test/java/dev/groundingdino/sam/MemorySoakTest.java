package dev.groundingdino.sam;

import dev.groundingdino.internal.runtime.ProcessMemory;
import dev.groundingdino.Box;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.ImageInput;
import dev.groundingdino.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Native memory stays flat over many calls: 100 rounds of embed + segment + close on the tiny golden SAM keep the
 * resident set size (VmRSS) within 50 MB of its level after warm-up. Every round allocates well over 100 MB of native
 * temporaries (encoder activations, two 1024 x 1024 upscales per mask), so a leak of any of them shows (a 4 MB
 * embedding leaked per round alone would add 400 MB).
 *
 * <p>RSS is sampled after a full GC (so garbage on the Java heap, also from earlier tests in this JVM, does not count)
 * and compared as the median of the first 10 measured rounds against the median of the last 10: the allocator's
 * retained free memory makes single samples jump by +-30 MB from round to round without any leak.
 *
 * <p>The rounds run with one intra-op thread (restored afterwards): on a small shared machine OpenMP's spinning
 * threads make tiny-op workloads several times slower when another process holds a core, and the soak should take
 * well under a minute either way.
 */
class MemorySoakTest {
    private static final int WARM_UP = 10;
    private static final int ROUNDS = 100;
    private static final int WINDOW = 10;
    private static final long MAX_GROWTH = 50L << 20;

    @Tag("memory") // the long native-memory runs: mvn -B verify -Pmemory-tests (run-benchmarks.sh runs them)
    @Test
    void hundredEmbedAndSegmentRoundsKeepResidentMemoryFlat() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc/self/status");
        byte[] image = Files.readAllBytes(Golden.dir().resolve("images/dog.jpg")); // 800 x 534
        List<Box> boxes = List.of(new Box(10, 10, 300, 400), new Box(200, 100, 780, 520));
        int threads = -1;
        try (Segmenter segmenter = Segmenter.load(Golden.samSuite().resolve("sam.safetensors"))) {
            threads = torch.get_num_threads();
            torch.set_num_threads(1);
            long checksum = 0;
            for (int i = 0; i < WARM_UP; i++) {
                checksum += round(segmenter, image, boxes, i);
            }
            long[] first = new long[WINDOW];
            long[] last = new long[WINDOW];
            long peak = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < ROUNDS; i++) {
                checksum += round(segmenter, image, boxes, i);
                if (i < WINDOW) {
                    first[i] = settledRss();
                } else if (i >= ROUNDS - WINDOW) {
                    last[i - (ROUNDS - WINDOW)] = settledRss();
                }
                peak = Math.max(peak, ProcessMemory.rssBytes());
            }
            long before = median(first);
            long after = median(last);
            System.out.printf("RSS median of rounds 1-%d %d MiB, of rounds %d-%d %d MiB (peak %d MiB), "
                    + "%.0f ms/round%n", WINDOW, before >> 20, ROUNDS - WINDOW + 1, ROUNDS, after >> 20, peak >> 20,
                    (System.nanoTime() - t0) / 1e6 / ROUNDS);
            assertThat(checksum).as("masks were computed").isPositive();
            assertThat(after - before).as("RSS growth over %d rounds, bytes", ROUNDS).isLessThan(MAX_GROWTH);
        } finally {
            if (threads > 0) {
                torch.set_num_threads(threads);
            }
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * One image: embed, then (alternating) a batch of two boxes with three masks each or one box with one mask,
     * close; returns the total mask area.
     */
    private static long round(Segmenter segmenter, byte[] image, List<Box> boxes, int i) {
        long area = 0;
        try (ImageEmbedding e = segmenter.embed(ImageInput.of(image))) {
            if (i % 2 == 0) {
                for (Segmentation s : segmenter.segment(e, MaskPrompt.ofBoxes(boxes), true)) {
                    for (Mask m : s.masks()) {
                        area += m.area();
                    }
                }
            } else {
                area += segmenter.segment(e, MaskPrompt.of(boxes.get(i % boxes.size())), false).best().area();
            }
        }
        return area;
    }

    /** RSS after a full garbage collection (the Java heap then holds only live objects). */
    private static long settledRss() throws IOException {
        System.gc();
        System.gc();
        return ProcessMemory.rssBytes();
    }

}
