package dev.groundingdino.spark;

import static dev.groundingdino.testing.TestInputs.png;
import static dev.groundingdino.testing.TestInputs.strip;

import dev.groundingdino.Detector;
import dev.groundingdino.testing.Golden;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * What the Spark tests share: ONE local[2] SparkSession for the whole test JVM (starting Spark costs seconds), the
 * golden tiny GroundingDINO, and a small folder of images (golden images, noisy strips and a corrupt file).
 */
public final class SparkTests {
    /** Thresholds at which the tiny random-weight model finds something (the golden pano case's). */
    public static final double BOX_THRESHOLD = 0.8853;
    public static final double TEXT_THRESHOLD = 0.7196;
    public static final String PROMPT = "cat . dog .";
    public static final List<String> CLASSES = List.of("cat", "dog");
    /** The corrupt file of {@link #images()}. */
    public static final String BROKEN = "broken.jpg";

    private static SparkSession spark;
    private static Detector detector;
    private static Path images;

    private SparkTests() {}

    /** The shared local[2] session (stopped when the JVM ends). */
    public static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("groundingdino-spark tests")
                    .config("spark.ui.enabled", false)
                    .config("spark.sql.shuffle.partitions", 2)
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.files.openCostInBytes", 1) // small files still spread over both tasks
                    .getOrCreate();
        }
        return spark;
    }

    public static Path weights() {
        return Golden.gdinoSuite().resolve("gdino.pth");
    }

    public static Path config() {
        return Golden.gdinoSuite().resolve("config.json");
    }

    /** A labeller on the golden tiny model with the test thresholds. */
    public static GroundingDinoLabeler labeler() {
        return new GroundingDinoLabeler().setWeights(weights().toString()).setConfig(config().toString())
                .setBoxThreshold(BOX_THRESHOLD).setTextThreshold(TEXT_THRESHOLD);
    }

    /** The single-machine reference: the golden tiny model through the public API, with the test thresholds. */
    public static synchronized Detector detector() {
        if (detector == null) {
            detector = Detector.builder(weights()).config(config()).boxThreshold(BOX_THRESHOLD)
                    .textThreshold(TEXT_THRESHOLD).build();
            Runtime.getRuntime().addShutdownHook(new Thread(detector::close));
        }
        return detector;
    }

    /**
     * A folder of 6 images and 1 corrupt file: the golden pano (2000x100) and dog photo, three noisy strips (two of
     * one size, one of another) and a tiny PNG, plus {@code broken.jpg} (not an image) and {@code notes.txt} (not
     * an image file name).
     */
    public static synchronized Path images() {
        if (images == null) {
            try {
                images = Files.createTempDirectory("gdino-spark-images");
                Files.copy(Golden.file("images/synth_pano_2000x100.png"), images.resolve("pano.png"));
                Files.copy(Golden.file("images/dog.jpg"), images.resolve("dog.jpg"));
                Files.write(images.resolve("strip_a.png"), png(strip(1, 400, 10)));
                Files.write(images.resolve("strip_b.png"), png(strip(2, 400, 10)));
                Files.write(images.resolve("strip_c.PNG"), png(strip(3, 600, 12)));
                Files.write(images.resolve("tiny.png"), png(strip(4, 40, 30)));
                Files.write(images.resolve(BROKEN), "this is not a JPEG".getBytes());
                Files.writeString(images.resolve("notes.txt"), "not an image");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return images;
    }
}
