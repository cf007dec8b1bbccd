package dev.groundingdino.bench;

import dev.groundingdino.internal.runtime.ProcessMemory;
import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.groundingdino.TextBatch;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Times full-size GroundingDINO forward passes stage by stage and reports the peak resident memory of each pass
 * (Linux: {@code VmHWM}, reset before every pass through {@code /proc/self/clear_refs}); JMH reports latency only.
 *
 * <p>Run: {@code java -cp groundingdino-bench/target/benchmarks.jar dev.groundingdino.bench.ForwardProfile
 * --size 800x600 --batch 1 --runs 5}. Prints one line per pass and the medians.
 */
public final class ForwardProfile {
    private ForwardProfile() {}

    public static void main(String[] args) throws IOException {
        String size = "1200x901";
        int batch = 1;
        int runs = 5;
        int warmup = 1;
        String prompt = "cat . dog .";
        boolean memory = false;
        ScalarType dtype = ScalarType.Float;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--prompt" -> prompt = args[++i];
                case "--memory" -> memory = true;
                case "--bf16" -> dtype = ScalarType.BFloat16;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --size WxH --batch N --runs N --warmup N --prompt TEXT --memory --bf16");
            }
        }
        int[] wh = BenchImages.parseSize(size);
        long t0 = System.nanoTime();
        try (LoadedGroundingDino loaded = RandomWeights.groundingDino(GroundingDinoConfig.swinTOgc(), 42, dtype)) {
            System.out.printf("model built in %d ms, RSS %d MB, threads %d%n", (System.nanoTime() - t0) / 1_000_000,
                    (ProcessMemory.rssBytes() >> 20), torch.get_num_threads());
            PixelTensor pixels = GroundingDinoTransform.apply(BenchImages.random(wh[0], wh[1], 7));
            TextBatch text = TextBatch.of(List.of(CaptionEncoder.encode(prompt))).repeat(batch);
            System.out.printf("input %s -> %s x %d, prompt '%s', %s%n", size, Arrays.toString(pixels.shape()), batch,
                    prompt, dtype);
            GroundingDINO model = loaded.model();
            StageClock clock = new StageClock(memory);
            List<Double> totals = new ArrayList<>();
            List<Long> peaks = new ArrayList<>();
            Map<String, List<Double>> stages = new LinkedHashMap<>();
            for (int r = 0; r < warmup + runs; r++) {
                resetPeak();
                long start = System.nanoTime();
                float checksum;
                try (InferenceScope scope = InferenceScope.open()) {
                    Tensor image = pixels.toTensor(); // (3, H, W)
                    Tensor images = batch == 1 ? image.unsqueeze(0) : image.unsqueeze(0).expand(batch, -1, -1, -1)
                            .contiguous(); // (B, 3, H, W)
                    clock.start();
                    GroundingDINO.Output out = model.forward(NestedTensor.unpadded(images), text, clock);
                    checksum = out.predBoxes().to(ScalarType.Float).sum().item_float();
                }
                double ms = (System.nanoTime() - start) / 1e6;
                long peak = (ProcessMemory.peakRssBytes() >> 20);
                boolean measured = r >= warmup;
                StringBuilder line = new StringBuilder(String.format("%s %2d: %8.0f ms  peak RSS %5d MB  [",
                        measured ? "run   " : "warmup", r, ms, peak));
                Map<String, Double> all = new LinkedHashMap<>(clock.stageMillis());
                all.putAll(clock.encoderMillis());
                all.forEach((k, v) -> line.append(String.format(" %s %.0f", k.replaceAll(" \\(.*\\)", ""), v)));
                System.out.println(line.append(" ] checksum ").append(checksum));
                if (memory) {
                    System.out.println("        peak RSS (MB) at the end of each stage: " + clock.stagePeaks());
                }
                if (measured) {
                    totals.add(ms);
                    peaks.add(peak);
                    all.forEach((k, v) -> stages.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                }
            }
            System.out.printf("median of %d: %.0f ms (min %.0f, max %.0f), peak RSS median %d MB, max %d MB%n",
                    runs, median(totals), totals.stream().mapToDouble(d -> d).min().orElse(0),
                    totals.stream().mapToDouble(d -> d).max().orElse(0),
                    (long) median(peaks.stream().map(Long::doubleValue).toList()),
                    peaks.stream().mapToLong(l -> l).max().orElse(0));
            Map<String, Double> gflop = FlopCount.groundingDino(GroundingDinoConfig.swinTOgc(),
                    (int) pixels.shape()[1], (int) pixels.shape()[2], text.length(), batch, warmup > 0);
            System.out.printf("  %-28s %8s %9s %9s%n", "stage (medians)", "ms", "GFLOP", "GFLOP/s");
            stages.forEach((k, v) -> {
                double ms = median(v);
                Double g = gflop.get(k);
                System.out.printf("  %-28s %8.0f %9.1f %9.0f%n", k, ms, g == null ? Double.NaN : g,
                        g == null ? Double.NaN : g / (ms / 1e3));
            });
            double total = FlopCount.total(gflop);
            System.out.printf("  %-28s %8.0f %9.1f %9.0f   (reference fusion layers: %.1f GFLOP)%n", "forward",
                    median(totals), total, total / (median(totals) / 1e3), FlopCount.referenceFusionGflop(
                            GroundingDinoConfig.swinTOgc(), (int) pixels.shape()[1], (int) pixels.shape()[2],
                            text.length(), batch));
        }
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Resets the kernel's peak-RSS counter of this process (no-op where unsupported). */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not Linux or not permitted: the peak then covers the whole process lifetime
        }
    }

}
