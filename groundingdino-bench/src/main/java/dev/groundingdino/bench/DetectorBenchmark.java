package dev.groundingdino.bench;

import dev.groundingdino.ImageInput;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long does the public API take, {@code Detector.detect(ImageInput.of(image), prompt)} on an 800x600 {@link BufferedImage},
 * with a full-size Swin-T OGC checkpoint (random weights written to a temporary {@code .safetensors} file and loaded
 * like a downloaded checkpoint)? Compare with {@link ForwardBenchmark} (same model and size without the API layer:
 * decoding, thresholds, NMS, result records).
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar DetectorBenchmark} (writes ~690 MB to the
 * temporary directory during the trial).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class DetectorBenchmark {
    @Param({"FP32", "BF16"})
    public String precision;

    private Path checkpoint;
    private Detector detector;
    private BufferedImage image;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        checkpoint = FullSizeCheckpoint.write(GroundingDinoConfig.swinTOgc());
        detector = Detector.builder(checkpoint).precision(Precision.valueOf(precision)).build();
        image = new BufferedImage(800, 600, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom random = new SplittableRandom(7);
        for (int y = 0; y < 600; y++) {
            for (int x = 0; x < 800; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        detector.close();
        try {
            Files.deleteIfExists(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the temporary checkpoint " + checkpoint, e);
        }
    }

    @Benchmark
    public DetectionResult detect() {
        return detector.detect(ImageInput.of(image), FullSizeModel.PROMPT);
    }
}
