package dev.groundingdino.spark.cli;

import static dev.groundingdino.spark.SparkTests.BROKEN;
import static dev.groundingdino.spark.SparkTests.BOX_THRESHOLD;
import static dev.groundingdino.spark.SparkTests.PROMPT;
import static dev.groundingdino.spark.SparkTests.TEXT_THRESHOLD;
import static dev.groundingdino.spark.SparkTests.config;
import static dev.groundingdino.spark.SparkTests.images;
import static dev.groundingdino.spark.SparkTests.spark;
import static dev.groundingdino.spark.SparkTests.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.cli.Gdino;
import dev.groundingdino.spark.GroundingDinoLabeler;
import dev.groundingdino.spark.LabelExport;
import dev.groundingdino.testing.TestInputs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The done-criterion of the Spark module: {@code gdino spark-label --master local[2] --dir D ... --coco OUT} writes
 * the same COCO dataset (and YOLO labels) as {@code gdino detect --dir D ... --coco REF}, both run in-process here
 * on the golden tiny model, a corrupt image included (both skip it and exit 1).
 */
class SparkLabelCommandTest {

    /** A finished command: exit code and what it printed. */
    record Run(int exit, String out, String err) {}

    static Run detect(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("detect"));
        all.addAll(List.of(args));
        int exit = Gdino.run(new PrintWriter(out), new PrintWriter(err), all.toArray(new String[0]));
        return new Run(exit, out.toString(), err.toString());
    }

    static Run sparkLabel(String... args) {
        spark(); // the tests' shared session: the command uses it (and leaves it running)
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SparkLabelCommand.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String[] args(String... extra) {
        // one libtorch thread for both tools (process-wide in this JVM): files equal byte for byte need equal
        // thread counts, as a different count rounds some sums differently in the last float digit
        List<String> all = new ArrayList<>(List.of("--weights", weights().toString(), "--config", config().toString(),
                "--box-threshold", Double.toString(BOX_THRESHOLD), "--text-threshold",
                Double.toString(TEXT_THRESHOLD), "--threads", "1"));
        all.addAll(List.of(extra));
        return all.toArray(new String[0]);
    }

    static void assertSameFolder(Path a, Path b) throws IOException {
        List<String> names = list(b);
        assertThat(list(a)).isEqualTo(names).isNotEmpty();
        for (String n : names) {
            assertThat(Files.readString(a.resolve(n))).as(n).isEqualTo(Files.readString(b.resolve(n)));
        }
    }

    static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void sparkLabelWritesTheSameCocoAndYoloAsGdinoDetect(@TempDir Path tmp) throws IOException {
        String dir = images().toString();
        Run ref = detect(args("--dir", dir, "--classes", "cat,dog", "--coco", tmp.resolve("ref.json").toString(),
                "--yolo", tmp.resolve("ref-yolo").toString()));
        Run run = sparkLabel(args("--master", "local[2]", "--dir", dir, "--classes", "cat,dog", "--coco",
                tmp.resolve("spark.json").toString(), "--yolo", tmp.resolve("spark-yolo").toString()));

        assertThat(ref.exit()).as(ref.err()).isEqualTo(Gdino.EXIT_INPUT_ERROR); // broken.jpg
        assertThat(run.exit()).as(run.err()).isEqualTo(SparkLabelCommand.EXIT_INPUT_ERROR);
        assertThat(run.err()).contains(BROKEN + ": skipped: ").contains("1 of 7 images could not be read");
        assertThat(run.out()).contains("labelled 6 images").contains("wrote " + tmp.resolve("spark.json") + ": 6 "
                + "images");
        assertThat(Files.readString(tmp.resolve("spark.json"))).isEqualTo(Files.readString(tmp.resolve("ref.json")));
        assertThat(Files.readString(tmp.resolve("ref.json"))).contains("\"annotations\" : [ {");
        assertSameFolder(tmp.resolve("spark-yolo"), tmp.resolve("ref-yolo"));
    }

    @Test
    void aUriInputWritesTheSameCocoAndAParquetTableThatExportsAgain(@TempDir Path tmp) throws IOException {
        Run ref = detect(args("--dir", images().toString(), "--prompt", PROMPT, "--coco",
                tmp.resolve("ref.json").toString()));
        String parquet = tmp.resolve("labels.parquet").toUri().toString();
        Run run = sparkLabel(args("--input", images().toUri().toString(), "--prompt", PROMPT, "--partitions", "3",
                "--batch-size", "1", "--coco", tmp.resolve("spark.json").toString(), "--parquet", parquet));
        assertThat(run.exit()).as(run.err()).isEqualTo(ref.exit()).isEqualTo(1);
        assertThat(Files.readString(tmp.resolve("spark.json"))).isEqualTo(Files.readString(tmp.resolve("ref.json")));

        // the table keeps the labels and the job's prompt (column metadata) through Parquet
        Dataset<Row> table = spark().read().parquet(parquet);
        assertThat(table.columns()).containsExactly("path", "modificationTime", "length", "detections", "width",
                "height", "error");
        assertThat(table.count()).isEqualTo(7); // notes.txt is not an image file name
        assertThat(table.schema().apply("detections").metadata().getMetadata(GroundingDinoLabeler.METADATA_KEY)
                .getString("prompt")).isEqualTo(PROMPT);
        LabelExport.of(table).writeCoco(tmp.resolve("again.json"));
        assertThat(Files.readString(tmp.resolve("again.json"))).isEqualTo(Files.readString(tmp.resolve("ref.json")));
    }

    @Test
    void aLongClassFileRunsInChunksAndWritesTheSameCocoAsGdinoDetect(@TempDir Path tmp) throws IOException {
        List<String> classes = TestInputs.classNames(100, 0);
        List<String> lines = new ArrayList<>(List.of("# 100 two-word classes: 302 tokens, 2 chunks"));
        lines.addAll(classes);
        Path file = Files.write(tmp.resolve("classes.txt"), lines);
        String dir = images().toString();
        Run ref = detect(args("--dir", dir, "--classes-file", file.toString(), "--coco",
                tmp.resolve("ref.json").toString()));
        Run run = sparkLabel(args("--master", "local[2]", "--dir", dir, "--classes-file", file.toString(), "--coco",
                tmp.resolve("spark.json").toString()));
        assertThat(ref.out()).contains("the 100 classes ran in 2 chunks");
        assertThat(run.exit()).as(run.err()).isEqualTo(ref.exit());
        assertThat(Files.readString(tmp.resolve("spark.json"))).isEqualTo(Files.readString(tmp.resolve("ref.json")));
        assertThat(Files.readString(tmp.resolve("ref.json"))).contains("\"name\" : \"" + classes.get(99) + "\"");

        Run missing = sparkLabel(args("--dir", dir, "--classes-file", tmp.resolve("nope.txt").toString()));
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("--classes-file: the class list file").contains("does not exist");
    }

    @Test
    void badOptionsAreReportedWithoutAJob(@TempDir Path tmp) throws IOException {
        assertThat(sparkLabel("--dir", tmp.toString(), "--prompt", "cat").exit()).isEqualTo(2); // no --weights
        Run empty = sparkLabel(args("--dir", tmp.toString(), "--prompt", "cat"));
        assertThat(empty.exit()).isEqualTo(1);
        assertThat(empty.err()).contains("no images (.jpg");
        Run recursive = sparkLabel(args("--dir", images().toString(), "--recursive", "--prompt", "cat"));
        assertThat(recursive.err()).contains("--recursive works with --input only");
        Run batch = sparkLabel(args("--dir", images().toString(), "--batch-size", "0", "--prompt", "cat"));
        assertThat(batch.err()).contains("--batch-size must be at least 1");
        try (DirectoryStream<Path> d = Files.newDirectoryStream(tmp)) {
            assertThat(d.iterator().hasNext()).isFalse();
        }
    }
}
