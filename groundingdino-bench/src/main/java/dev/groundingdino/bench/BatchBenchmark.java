package dev.groundingdino.bench;

import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.postprocess.Prediction;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long does a batch of 10 images of 800x600 take through the full-size GroundingDINO in ONE forward pass (end
 * to end as {@link ForwardBenchmark}: preprocessing of the 10 images, forward, {@code predict()} per image)? Divide
 * by 10 for the per-image cost and compare with {@link ForwardBenchmark}'s 800x600 batch of one.
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar BatchBenchmark}. Tens of seconds per
 * operation: single-shot iterations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class BatchBenchmark {
    /** Images per forward pass. */
    public static final int BATCH = 10;

    @Param({"FP32", "BF16"})
    public String precision;

    private FullSizeModel model;
    private List<RgbImage> images;

    @Setup(Level.Trial)
    public void setUp() {
        model = FullSizeModel.build(precision);
        images = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            images.add(BenchImages.random(800, 600, 100 + i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    @Benchmark
    public List<List<Prediction>> detectBatchOf10() {
        List<PixelTensor> pixels = new ArrayList<>(BATCH);
        for (RgbImage image : images) {
            pixels.add(GroundingDinoTransform.apply(image));
        }
        return model.detect(pixels);
    }
}
