package dev.groundingdino.bench;

import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.postprocess.Prediction;
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
 * How long does the full-size GroundingDINO (Swin-T OGC) take for ONE image, end to end: the reference
 * preprocessing (Pillow-exact resize to 800 on the short side, normalise), the text side, the forward pass and
 * the reference's {@code predict()}? Per input size and precision; the prompt repeats, so BERT's output comes from
 * the model's text cache after the first call (the steady state of a detector used with one prompt).
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar ForwardBenchmark} (or
 * {@code groundingdino-bench/run-benchmarks.sh}). Each operation takes seconds: single-shot iterations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ForwardBenchmark {
    /** Original image size WIDTHxHEIGHT (800x600 becomes 1067x800 after the resize, 1920x1080 becomes 1333x750). */
    @Param({"800x600", "1920x1080"})
    public String size;

    @Param({"FP32", "BF16"})
    public String precision;

    private FullSizeModel model;
    private RgbImage image;

    @Setup(Level.Trial)
    public void setUp() {
        model = FullSizeModel.build(precision);
        int[] wh = BenchImages.parseSize(size);
        image = BenchImages.random(wh[0], wh[1], 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    @Benchmark
    public List<List<Prediction>> detect() {
        return model.detect(List.of(GroundingDinoTransform.apply(image)));
    }
}
