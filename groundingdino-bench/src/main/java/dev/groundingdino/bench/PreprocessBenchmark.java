package dev.groundingdino.bench;

import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.image.SamTransform;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long does the reference-exact (Pillow bilinear, uint8) preprocessing of one image take, for GroundingDINO
 * (shorter side 800 + normalise) and for SAM (longest side 1024 + normalise + pad)?
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar PreprocessBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PreprocessBenchmark {
    /** Input size as WIDTHxHEIGHT. */
    @Param({"1200x901", "1920x1080", "640x480"})
    public String size;

    private RgbImage image;

    @Setup(Level.Trial)
    public void setUp() {
        String[] wh = size.split("x");
        int w = Integer.parseInt(wh[0]);
        int h = Integer.parseInt(wh[1]);
        byte[] rgb = new byte[w * h * 3];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) random.nextInt(256);
        }
        image = RgbImage.of(w, h, rgb);
    }

    @Benchmark
    public PixelTensor groundingDino() {
        return GroundingDinoTransform.apply(image);
    }

    @Benchmark
    public PixelTensor sam() {
        return SamTransform.apply(image);
    }
}
