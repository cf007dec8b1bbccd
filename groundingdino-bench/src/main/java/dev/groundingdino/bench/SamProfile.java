package dev.groundingdino.bench;

import dev.groundingdino.internal.runtime.ProcessMemory;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.SamTransform;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.sam.internal.SamCheckpoint;
import dev.groundingdino.sam.internal.config.SamConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Times SAM's image encoding (preprocessed 1024x1024 input to the 256x64x64 embedding) with random weights of a
 * preset ({@link RandomWeights#sam}) and reports the peak resident memory of each pass (Linux {@code VmHWM}, reset
 * before every pass) and the achieved GFLOP/s ({@link FlopCount#samEncoder}); JMH ({@link SamBenchmark}) reports
 * latency only.
 *
 * <p>Run: {@code java -cp groundingdino-bench/target/benchmarks.jar dev.groundingdino.bench.SamProfile
 * [--model vit_b|vit_l|vit_h] [--runs 5] [--warmup 1] [--bf16]}; {@code --bf16} runs the encoder's blocks on bfloat16
 * weights, as {@code Segmenter.Builder.precision(BF16)} does.
 */
public final class SamProfile {
    private SamProfile() {}

    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public static void main(String[] args) {
        SamConfig cfg = SamConfig.vitB();
        int runs = 5;
        int warmup = 1;
        ScalarType encoderType = ScalarType.Float;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> cfg = switch (args[++i]) {
                    case "vit_b" -> SamConfig.vitB();
                    case "vit_l" -> SamConfig.vitL();
                    case "vit_h" -> SamConfig.vitH();
                    default -> throw new IllegalArgumentException("--model must be vit_b, vit_l or vit_h");
                };
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--bf16" -> encoderType = ScalarType.BFloat16;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --model vit_b|vit_l|vit_h --runs N --warmup N --bf16");
            }
        }
        Map<String, Double> flops = FlopCount.samEncoder(cfg);
        double gflop = FlopCount.total(flops);
        long t0 = System.nanoTime();
        try (SamCheckpoint model = RandomWeights.sam(cfg, 42, encoderType)) {
            System.out.printf(Locale.ROOT, "%s (encoder %s) built in %d ms, RSS %d MB, threads %d; %.1f GFLOP per "
                    + "image %s%n", cfg.name(), encoderType, (System.nanoTime() - t0) / 1_000_000,
                    (ProcessMemory.rssBytes() >> 20), torch.get_num_threads(), gflop, flops);
            PixelTensor pixels = SamTransform.apply(BenchImages.random(1920, 1080, 7));
            List<Double> times = new ArrayList<>();
            List<Long> peaks = new ArrayList<>();
            for (int r = 0; r < warmup + runs; r++) {
                ForwardProfile.resetPeak();
                long start = System.nanoTime();
                double checksum;
                try (InferenceScope scope = InferenceScope.open()) {
                    checksum = model.sam().embed(pixels.toTensor()).abs().sum().item_double();
                }
                double ms = (System.nanoTime() - start) / 1e6;
                long peak = (ProcessMemory.peakRssBytes() >> 20);
                boolean measured = r >= warmup;
                System.out.printf(Locale.ROOT, "%s %2d: %8.0f ms  %5.0f GFLOP/s  peak RSS %5d MB  checksum %.6g%n",
                        measured ? "run   " : "warmup", r, ms, gflop / ms * 1e3, peak, checksum);
                if (measured) {
                    times.add(ms);
                    peaks.add(peak);
                }
            }
            Collections.sort(times);
            Collections.sort(peaks);
            double median = times.get(times.size() / 2);
            System.out.printf(Locale.ROOT, "median %.0f ms (%.0f GFLOP/s), peak RSS median %d MB%n", median,
                    gflop / median * 1e3, peaks.get(peaks.size() / 2));
        }
    }
}
