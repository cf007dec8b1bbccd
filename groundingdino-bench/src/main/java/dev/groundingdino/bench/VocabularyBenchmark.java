package dev.groundingdino.bench;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageFeatures;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Prompt;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 1,203-class LVIS-style list ({@link LvisStyleNames}) on one 800x600 image through the full-size Swin-T model
 * and the public API ({@link ClassMatching#TOKEN_SPANS}): how much does running the chunks on one encoded image save
 * against running each chunk as its own {@code detect} (the image encoded once per chunk), and what does one chunk
 * cost on encoded features?
 *
 * <ul>
 *   <li>{@code chunkedList}: {@code detect(image, classes)}, every chunk on the once-encoded image;</li>
 *   <li>{@code chunksAsSeparateDetects}: the same chunks, one {@code detect(image, chunk)} each (the baseline);</li>
 *   <li>{@code oneChunkOnFeatures}: one chunk on {@link ImageFeatures} encoded in the setup (per-chunk cost);</li>
 *   <li>{@code encodeImage}: {@link Detector#encodeImage} alone (decode, resize, backbone).</li>
 * </ul>
 * The text cache holds every chunk's encoding after the warm-up in all of them (32 entries, 21 chunks).
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar VocabularyBenchmark} (minutes per operation on
 * a CPU: single-shot; {@code -wi 0 -i 1} for a quick look).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class VocabularyBenchmark {
    /** LVIS's number of categories. */
    public static final int CLASSES = 1203;

    private Path checkpoint;
    private Detector detector;
    private ImageInput image;
    private ImageFeatures features;
    private List<String> classes;
    private List<List<String>> chunks;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        checkpoint = FullSizeCheckpoint.write(GroundingDinoConfig.swinTOgc());
        detector = Detector.builder(checkpoint).classMatching(ClassMatching.TOKEN_SPANS).build();
        BufferedImage img = new BufferedImage(800, 600, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom random = new SplittableRandom(7);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        image = ImageInput.of(img);
        classes = LvisStyleNames.generate(CLASSES, 1203);
        features = detector.encodeImage(image);
        DetectionResult r = detector.detect(features, Prompt.classes(classes)); // the split, and warm text cache
        chunks = new ArrayList<>();
        for (DetectionResult.Chunk c : r.chunks()) {
            chunks.add(classes.subList(c.first(), c.end()));
        }
        System.out.printf("%n%d classes, caption of %d characters, %d chunks; image features %.1f MB%n",
                classes.size(), r.caption().length(), chunks.size(), features.sizeInBytes() / 1e6);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        features.close();
        detector.close();
        Files.deleteIfExists(checkpoint);
    }

    @Benchmark
    public DetectionResult chunkedList() {
        return detector.detect(image, Prompt.classes(classes));
    }

    @Benchmark
    public List<DetectionResult> chunksAsSeparateDetects() {
        List<DetectionResult> out = new ArrayList<>(chunks.size());
        for (List<String> chunk : chunks) {
            out.add(detector.detect(image, Prompt.classes(chunk)));
        }
        return out;
    }

    @Benchmark
    public DetectionResult oneChunkOnFeatures() {
        return detector.detect(features, Prompt.classes(chunks.get(0)));
    }

    @Benchmark
    public long encodeImage() {
        try (ImageFeatures f = detector.encodeImage(image)) {
            return f.sizeInBytes();
        }
    }
}
