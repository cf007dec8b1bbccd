package dev.groundingdino.internal.weights;

import dev.groundingdino.internal.runtime.ProcessMemory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.testing.Golden;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Loading and closing checkpoints repeatedly keeps resident memory flat: tensors, mappings and copies are
 * released. A leak here is large (each cycle maps and touches ~42 MB), while the JVM with libtorch loaded
 * fluctuates by tens of MB on its own, so the test compares medians of several samples.
 */
class LeakTest {
    private static final int WARM_UP = 10;
    private static final int CYCLES = 50;
    private static final int WINDOW = 9;

    private static long median(long[] v, int from, int to) {
        long[] s = Arrays.copyOfRange(v, from, to);
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @Tag("memory") // the long native-memory runs: mvn -B verify -Pmemory-tests (run-benchmarks.sh runs them)
    @Test
    void loadCloseFiftyTimesKeepsRssFlat() {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs Linux /proc");
        Path pth = Golden.gdinoSuite().resolve("gdino.pth");
        Path st = Golden.samSuite().resolve("sam.safetensors");
        long[] rss = new long[CYCLES];
        long[] file = new long[CYCLES];
        // Closed state dicts stay reachable: close() itself must free the native memory, not the garbage collector.
        List<StateDict> closed = new ArrayList<>();
        for (int i = 0; i < WARM_UP + CYCLES; i++) {
            try (StateDict a = StateDict.read(pth); StateDict b = StateDict.read(st)) {
                closed.add(a);
                closed.add(b);
                // touch every byte so the mappings are really resident while open
                for (String n : a.names()) {
                    TensorBytes.of(a.get(n));
                }
                for (String n : b.names()) {
                    TensorBytes.of(b.get(n));
                }
            }
            if (i >= WARM_UP) {
                System.gc();
                rss[i - WARM_UP] = ProcessMemory.rssBytes();
                file[i - WARM_UP] = ProcessMemory.field("RssFile") * 1024;
            }
        }
        long growth = median(rss, CYCLES - WINDOW, CYCLES) - median(rss, 0, WINDOW);
        long fileGrowth = median(file, CYCLES - WINDOW, CYCLES) - median(file, 0, WINDOW);
        System.out.printf("RSS after warm-up %.1f MB; over %d load/close cycles: RSS %+.1f MB, file-backed %+.1f MB%n",
                median(rss, 0, WINDOW) / 1e6, CYCLES, growth / 1e6, fileGrowth / 1e6);
        assertThat(closed).allMatch(StateDict::isClosed);
        assertThat(fileGrowth).as("file-backed RSS growth (leaked mappings)").isLessThan(20L << 20);
        assertThat(growth).as("RSS growth over " + CYCLES + " cycles of ~42 MB each").isLessThan(60L << 20);
    }
}
