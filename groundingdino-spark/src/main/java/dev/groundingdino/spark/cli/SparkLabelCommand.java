package dev.groundingdino.spark.cli;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.Device;
import dev.groundingdino.GroundingDinoException;
import dev.groundingdino.NmsMode;
import dev.groundingdino.Precision;
import dev.groundingdino.Prompt;
import dev.groundingdino.PromptException;
import dev.groundingdino.spark.GroundingDinoLabeler;
import dev.groundingdino.spark.LabelExport;
import dev.groundingdino.spark.LabelExportSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gdino spark-label}: auto-labels a folder or a bucket of images on Apache Spark (local or a cluster) with
 * {@link GroundingDinoLabeler}, and writes the same COCO / YOLO datasets as {@code gdino detect --dir D --coco F},
 * and optionally the labelled table as Parquet. Exit codes as {@code gdino}: 0 success, 1 a problem with the inputs
 * (including images that could not be read: they are listed and left out), 2 a usage error, 3 an internal error.
 */
@Command(name = "spark-label", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Labels every image of a folder (--dir) or of a Hadoop/S3/GCS location (--input) with "
                + "GroundingDINO on Apache Spark, and writes a COCO instances file (--coco), YOLO labels (--yolo) "
                + "and/or the labelled table (--parquet). The datasets equal what `gdino detect --dir D` writes for "
                + "the same images and options. Runs locally with --master local[N]; under spark-submit the master "
                + "and the resources come from spark-submit (see docs/spark.md).")
public final class SparkLabelCommand implements Callable<Integer> {
    public static final int EXIT_INPUT_ERROR = 1;
    public static final int EXIT_INTERNAL_ERROR = 3;
    /** The image files {@code gdino detect --dir} takes (same list, matched case-insensitively). */
    static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff",
            ".ppm", ".pgm");
    private static final int LISTED_FAILURES = 20;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[4] (default: spark-submit's, else local[*])")
    String master;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    /** Exactly one image source. */
    static final class Input {
        @Option(names = "--dir", paramLabel = "D",
                description = "a local folder: every *.jpg, *.jpeg, *.png, *.bmp, *.webp, *.tif(f), *.ppm, *.pgm in "
                        + "it (not recursive), as gdino detect --dir; on a cluster the folder must be at the same "
                        + "path on every node (a shared filesystem)")
        Path dir;

        @Option(names = "--input", paramLabel = "URI",
                description = "a folder, file or glob Spark can read: /data/images, hdfs://..., s3a://bucket/images, "
                        + "gs://bucket/images/*.jpg (images only are kept, by extension)")
        String uri;
    }

    @Option(names = "--recursive", description = "with --input: also the images in sub-folders (named by their path "
            + "relative to --input in the datasets)")
    boolean recursive;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Query query;

    /** A free prompt or a class list. */
    static final class Query {
        @Option(names = "--prompt", paramLabel = "P", description = "what to find, e.g. \"cat . dog\"")
        String prompt;

        @Option(names = "--classes", paramLabel = "C1,C2", split = ",",
                description = "a class list instead of a prompt: detections get class ids, datasets use these "
                        + "categories")
        List<String> classes;

        @Option(names = "--classes-file", paramLabel = "F",
                description = "a class list from a UTF-8 text file on the driver, one class per line (blank lines and "
                        + "'#' lines skipped), of any length: TOKEN_SPANS unless --class-matching says otherwise")
        Path classesFile;
    }

    @Option(names = "--weights", required = true, paramLabel = "W",
            description = "GroundingDINO checkpoint (.pth or .safetensors) readable at this path on every executor "
                    + "(or shipped with spark-submit --files), or 'demo' for the random-weight demo model")
    String weights;

    @Option(names = "--config", paramLabel = "C",
            description = "model config (.py or .json) for checkpoints not recognised from their tensors")
    String config;

    @Option(names = "--coco", paramLabel = "F", description = "write a COCO instances file (on the driver)")
    Path coco;

    @Option(names = "--yolo", paramLabel = "DIR", description = "write YOLO labels (on the driver)")
    Path yolo;

    @Option(names = "--parquet", paramLabel = "OUT",
            description = "write the labelled table (path, detections, width, height, error) as Parquet with Spark "
                    + "(any URI Spark can write; must not exist)")
    String parquet;

    @Option(names = "--box-threshold", paramLabel = "B", description = "keep boxes scoring above B (default 0.35)")
    double boxThreshold = 0.35;

    @Option(names = "--text-threshold", paramLabel = "T", description = "label tokens scoring above T (default 0.25)")
    double textThreshold = 0.25;

    @Option(names = "--remove-combined", description = "the reference's remove_combined: one sub-phrase per label")
    boolean removeCombined;

    @Option(names = "--class-matching", paramLabel = "M",
            description = "with a class list: REFERENCE (default for --classes; the model sees the first 256 tokens) "
                    + "or TOKEN_SPANS (default for --classes-file; lists of any length, in chunks of 256 tokens)")
    ClassMatching classMatching;

    @Option(names = "--nms", paramLabel = "IOU", description = "non-maximum suppression per label at this IoU")
    Double nmsIou;

    @Option(names = "--device", paramLabel = "D", description = "CPU (default) or CUDA (on every executor)")
    Device device = Device.CPU;

    @Option(names = "--precision", paramLabel = "P", description = "FP32 (default), BF16, or FP16 (CUDA only)")
    Precision precision = Precision.FP32;

    @Option(names = "--batch-size", paramLabel = "N", description = "images per forward pass (default 1)")
    int batchSize = 1;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch CPU threads per task (default: spark.task.cpus, 1 unless set: local[N] runs N "
                    + "tasks at once)")
    int threads;

    @Option(names = "--partitions", paramLabel = "N",
            description = "spread the images over N tasks (default: Spark's default parallelism for --dir, the "
                    + "file source's split for --input)")
    Integer partitions;

    @Option(names = "--sam", paramLabel = "CHECKPOINT",
            description = "a Segment Anything checkpoint: adds each box's Grounded-SAM mask (COCO RLE) to the "
                    + "--parquet table")
    String sam;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            // Spark logs at INFO by default; the command prints its own progress
            System.setProperty("log4j2.configurationFile", "dev/groundingdino/spark/cli/log4j2-cli.properties");
        }
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command writing to the given streams and returns its exit code (never calls System.exit). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new SparkLabelCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof GroundingDinoException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("gdino spark-label: " + e.getMessage());
                return EXIT_INPUT_ERROR;
            }
            commandLine.getErr().println("gdino spark-label: internal error: " + e
                    + " (please report it with the command line that caused it)");
            e.printStackTrace(commandLine.getErr());
            return EXIT_INTERNAL_ERROR;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter pw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        if (recursive && input.uri == null) {
            throw new IllegalArgumentException("--recursive works with --input only (--dir is not recursive, as in "
                    + "gdino detect)");
        }
        if (sam != null && parquet == null) {
            err.println("gdino spark-label: note: masks (--sam) are kept in the --parquet table only; COCO and YOLO "
                    + "files hold boxes, as gdino detect writes them");
        }
        List<String> classes = classes(); // a bad class file fails before Spark starts
        List<Path> files = input.dir != null ? listDir(input.dir) : null; // fail on a bad folder before Spark starts
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = session();
        try {
            return label(spark, files, classes, pw, err);
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    private SparkSession session() {
        SparkSession.Builder b = SparkSession.builder().appName("gdino spark-label");
        if (master != null) {
            b.master(master);
        } else if (System.getProperty("spark.master") == null) {
            b.master("local[*]"); // not under spark-submit
        }
        return b.getOrCreate();
    }

    /** The class list of --classes or --classes-file (stripped), or null for --prompt. */
    private List<String> classes() {
        if (query.classes != null) {
            return query.classes.stream().map(String::strip).toList();
        }
        if (query.classesFile != null) {
            try {
                return Prompt.classesFile(query.classesFile).classes();
            } catch (PromptException e) {
                throw new IllegalArgumentException("--classes-file: " + e.getMessage(), e);
            }
        }
        return null;
    }

    private int label(SparkSession spark, List<Path> files, List<String> classes, PrintWriter pw, PrintWriter err) {
        long t0 = System.nanoTime();
        GroundingDinoLabeler labeler = new GroundingDinoLabeler().setWeights(weights)
                .setBoxThreshold(boxThreshold).setTextThreshold(textThreshold).setRemoveCombined(removeCombined)
                .setClassMatching(classMatching != null ? classMatching
                        : query.classesFile != null ? ClassMatching.TOKEN_SPANS : ClassMatching.REFERENCE)
                .setDevice(device).setPrecision(precision).setBatchSize(batchSize)
                .setThreads(threads);
        if (config != null) {
            labeler.setConfig(config);
        }
        if (classes != null) {
            labeler.setClasses(classes);
        } else {
            labeler.setPrompt(query.prompt);
        }
        if (nmsIou != null) {
            labeler.setNms(NmsMode.PER_LABEL, nmsIou);
        }
        if (sam != null) {
            labeler.setSamWeights(sam);
        }
        Dataset<Row> images;
        if (files != null) {
            images = pathTable(spark, files);
            labeler.setInputCol("path");
        } else {
            images = binaryFiles(spark);
            labeler.setInputCol("content");
        }
        Dataset<Row> labelled = labeler.transform(images);
        if (files == null) {
            labelled = labelled.drop("content");
        }
        labelled = labelled.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Row totals = labelled.agg(functions.count(functions.lit(1)),
                    functions.sum(functions.coalesce(functions.size(functions.col(labeler.getOutputCol())),
                            functions.lit(0))),
                    functions.count(functions.col(labeler.getErrorCol()))).first();
            long count = totals.getLong(0);
            long boxes = totals.isNullAt(1) ? 0 : totals.getLong(1);
            long failed = totals.getLong(2);
            if (count == 0) {
                throw new IllegalArgumentException("no images (" + String.join(", ", IMAGE_EXTENSIONS) + ") in "
                        + input.uri);
            }
            pw.printf(Locale.ROOT, "labelled %d images in %.1f s: %d detections, %d failed%n", count - failed,
                    (System.nanoTime() - t0) / 1e9, boxes, failed);
            if (failed > 0) {
                for (Row r : labelled.filter(functions.col(labeler.getErrorCol()).isNotNull())
                        .select("path", labeler.getErrorCol()).limit(LISTED_FAILURES).collectAsList()) {
                    err.println(r.getString(0) + ": skipped: " + r.getString(1));
                }
                if (failed > LISTED_FAILURES) {
                    err.println("... and " + (failed - LISTED_FAILURES) + " more (see the error column of --parquet)");
                }
            }
            if (parquet != null) {
                labelled.write().parquet(parquet);
                pw.println("wrote " + parquet);
            }
            LabelExport export = LabelExport.of(labelled).columnsOf(labeler);
            if (recursive) {
                export.baseUri(input.uri);
            }
            if (coco != null) {
                LabelExportSummary s = export.writeCoco(coco);
                pw.printf(Locale.ROOT, "wrote %s: %d images, %d annotations, %d categories%s%n", coco, s.images(),
                        s.annotations(), s.categories().size(), skipped(s));
            }
            if (yolo != null) {
                LabelExportSummary s = export.writeYolo(yolo);
                pw.printf(Locale.ROOT, "wrote %s: %d label files, %d boxes, classes %s%s%n", yolo, s.images(),
                        s.annotations(), s.categories(), skipped(s));
            }
            if (failed > 0) {
                err.println("gdino spark-label: " + failed + " of " + count + " images could not be read (see above)");
                return EXIT_INPUT_ERROR;
            }
            return 0;
        } finally {
            labelled.unpersist();
        }
    }

    private static String skipped(LabelExportSummary s) {
        return s.skipped() > 0 ? " (" + s.skipped() + " detections without a category skipped)" : "";
    }

    /** The --dir images as a table of paths, spread over the tasks (each task reads its own files). */
    private Dataset<Row> pathTable(SparkSession spark, List<Path> files) {
        List<Row> rows = new ArrayList<>(files.size());
        for (Path f : files) {
            rows.add(RowFactory.create(f.toAbsolutePath().toString()));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int n = partitions != null ? partitions : jsc.defaultParallelism();
        StructType schema = new StructType().add("path", DataTypes.StringType, false);
        return spark.createDataFrame(jsc.parallelize(rows, Math.max(1, Math.min(n, rows.size()))), schema);
    }

    /** The --input images as Spark's binaryFile source reads them (path, modificationTime, length, content). */
    private Dataset<Row> binaryFiles(SparkSession spark) {
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", recursive)
                .load(input.uri);
        Column lower = functions.lower(functions.col("path"));
        Column isImage = functions.lit(false);
        for (String ext : IMAGE_EXTENSIONS) {
            isImage = isImage.or(lower.endsWith(ext));
        }
        files = files.filter(isImage);
        return partitions != null ? files.repartition(partitions) : files;
    }

    /** A folder's images exactly as {@code gdino detect --dir} lists them: not recursive, sorted. */
    static List<Path> listDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--dir " + dir.toAbsolutePath() + " is not a folder");
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (Files.isRegularFile(p) && IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith)) {
                    found.add(p);
                }
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no images (" + String.join(", ", IMAGE_EXTENSIONS) + ") in "
                    + dir.toAbsolutePath());
        }
        found.sort(null);
        return found;
    }
}
