package dev.groundingdino.spark.bench;

import dev.groundingdino.Prompt;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageInput;
import dev.groundingdino.spark.GroundingDinoLabeler;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Images per second of auto-labelling on one machine: the single-machine path of {@code gdino detect --dir}
 * (one {@code Detector}, images one after another, libtorch using every core) against
 * {@code gdino spark-label --master local[N] --dir} (N tasks sharing one model in one JVM), on the same images.
 * One configuration per run (libtorch's thread count is process-wide); the model is loaded and warmed up before the
 * timed passes, which are repeated and reported with their median.
 *
 * <pre>
 * java $(cat groundingdino-spark/target/spark-jvm.options) \
 *      -cp 'groundingdino-spark/target/groundingdino-spark.jar:groundingdino-spark/target/lib/*' \
 *      dev.groundingdino.spark.bench.LocalThroughput --mode spark --cores 2 --threads 1 \
 *      --images ../shared/golden/images --copies 4 --weights demo --runs 3
 * </pre>
 *
 * Options: {@code --mode single|spark}, {@code --cores N} (Spark's local[N]; the single path uses libtorch's
 * default, all cores, unless {@code --threads}), {@code --threads T} (libtorch intra-op threads, 0 = default),
 * {@code --images DIR}, {@code --copies K} (each image K times), {@code --weights W} ({@code demo} or a
 * checkpoint), {@code --config C}, {@code --prompt P}, {@code --runs R}, {@code --batch B}.
 */
public final class LocalThroughput {
    private LocalThroughput() {}

    public static void main(String[] args) throws IOException {
        String mode = "spark";
        int cores = 2;
        int threads = 0;
        Path dir = Path.of("../shared/golden/images");
        int copies = 1;
        String weights = "demo";
        String config = null;
        String prompt = "cat . dog .";
        int runs = 3;
        int batch = 1;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--mode" -> mode = v;
                case "--cores" -> cores = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--images" -> dir = Path.of(v);
                case "--copies" -> copies = Integer.parseInt(v);
                case "--weights" -> weights = v;
                case "--config" -> config = v;
                case "--prompt" -> prompt = v;
                case "--runs" -> runs = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Path> images = new ArrayList<>();
        for (int k = 0; k < copies; k++) {
            images.addAll(images(dir));
        }
        double[] seconds = mode.equals("single") ? single(images, weights, config, prompt, threads, runs)
                : spark(images, weights, config, prompt, cores, threads, runs, batch);
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf(Locale.ROOT, "mode=%s cores=%d threads=%d batch=%d weights=%s images=%d: median %.2f s = "
                + "%.3f images/s (runs: %s)%n", mode, mode.equals("single") ? Runtime.getRuntime().availableProcessors()
                : cores, threads, batch, Path.of(weights).getFileName(), images.size(), median, images.size() / median,
                Arrays.toString(Arrays.stream(seconds).map(s -> Math.round(s * 100) / 100.0).toArray()));
    }

    /** The images of a folder, sorted (as gdino detect --dir takes them). */
    static List<Path> images(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.{jpg,jpeg,png}")) {
            s.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    private static Detector.Builder builder(String weights, String config) {
        if (weights.equals("demo")) {
            return Detector.demoBuilder();
        }
        Detector.Builder b = Detector.builder(Path.of(weights));
        return config == null ? b : b.config(Path.of(config));
    }

    /** gdino detect --dir: one image per detect call, in order. */
    private static double[] single(List<Path> images, String weights, String config, String prompt, int threads,
            int runs) {
        try (Detector detector = builder(weights, config).threads(threads).build()) {
            detector.detect(ImageInput.files(images.subList(0, 1)), Prompt.text(prompt)); // warm-up
            double[] out = new double[runs];
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                for (Path image : images) {
                    detector.detect(ImageInput.files(List.of(image)), Prompt.text(prompt));
                }
                out[r] = (System.nanoTime() - t0) / 1e9;
            }
            return out;
        }
    }

    /** gdino spark-label --master local[cores] --dir: a table of paths over `cores` tasks, one shared model. */
    private static double[] spark(List<Path> images, String weights, String config, String prompt, int cores,
            int threads, int runs, int batch) {
        SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("LocalThroughput")
                .config("spark.ui.enabled", false).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            List<Row> rows = new ArrayList<>();
            for (Path p : images) {
                rows.add(RowFactory.create(p.toAbsolutePath().toString()));
            }
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Dataset<Row> table = spark.createDataFrame(jsc.parallelize(rows, cores),
                    new StructType().add("path", DataTypes.StringType)).cache();
            table.count();
            GroundingDinoLabeler labeler = new GroundingDinoLabeler().setWeights(weights).setPrompt(prompt)
                    .setInputCol("path").setThreads(threads).setBatchSize(batch);
            if (config != null) {
                labeler.setConfig(config);
            }
            // warm-up: every task loads (the first) or finds the model, and runs one image
            labeler.transform(spark.createDataFrame(jsc.parallelize(rows.subList(0, Math.min(cores, rows.size())),
                    cores), table.schema())).write().format("noop").mode("overwrite").save();
            double[] out = new double[runs];
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                labeler.transform(table).write().format("noop").mode("overwrite").save();
                out[r] = (System.nanoTime() - t0) / 1e9;
            }
            return out;
        } finally {
            spark.stop();
        }
    }
}
