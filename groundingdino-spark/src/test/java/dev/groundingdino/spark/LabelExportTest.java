package dev.groundingdino.spark;

import dev.groundingdino.Prompt;
import dev.groundingdino.ImageInput;
import static dev.groundingdino.spark.SparkTests.BROKEN;
import static dev.groundingdino.spark.SparkTests.CLASSES;
import static dev.groundingdino.spark.SparkTests.PROMPT;
import static dev.groundingdino.spark.SparkTests.detector;
import static dev.groundingdino.spark.SparkTests.images;
import static dev.groundingdino.spark.SparkTests.labeler;
import static dev.groundingdino.spark.SparkTests.spark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.ExportSummary;
import dev.groundingdino.ImageException;
import dev.groundingdino.spark.internal.LabelRows;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@link LabelExport}: the COCO and YOLO files written from a labelled DataFrame are byte for byte those that the
 * library's {@code DetectionExport} writes for {@code Detector.detect}'s results on the same images (the
 * single-machine auto-labelling path), for a prompt and for a class list.
 */
class LabelExportTest {
    private static Dataset<Row> files;

    @BeforeAll
    static void read() {
        files = spark().read().format("binaryFile").load(images().toString());
    }

    /** The single-machine results: every readable image of the folder by file name, in name order. */
    static Map<String, DetectionResult> reference(Object query) throws IOException {
        Map<String, DetectionResult> out = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(images())) {
            for (Path f : dir) {
                try {
                    @SuppressWarnings("unchecked")
                    DetectionResult r = query instanceof String p ? detector().detect(ImageInput.of(f), p)
                            : detector().detect(ImageInput.of(f), Prompt.classes((List<String>) query));
                    out.put(f.getFileName().toString(), r);
                } catch (ImageException unreadable) {
                    // left out, as gdino detect --dir does
                }
            }
        }
        return new LinkedHashMap<>(out);
    }

    static void assertSameFolder(Path a, Path b) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(b)) {
            dir.forEach(p -> names.add(p.getFileName().toString()));
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(a)) {
            List<String> got = new ArrayList<>();
            dir.forEach(p -> got.add(p.getFileName().toString()));
            assertThat(got).containsExactlyInAnyOrderElementsOf(names);
        }
        for (String n : names) {
            assertThat(Files.readString(a.resolve(n))).as(n).isEqualTo(Files.readString(b.resolve(n)));
        }
    }

    @Test
    void promptDatasetsEqualTheLibraryExports(@TempDir Path tmp) throws IOException {
        Dataset<Row> labelled = labeler().setPrompt(PROMPT).transform(files);
        LabelExport export = LabelExport.of(labelled);
        LabelExportSummary coco = export.writeCoco(tmp.resolve("spark.json"));
        LabelExportSummary yolo = export.writeYolo(tmp.resolve("spark-yolo"));

        Map<String, DetectionResult> ref = reference(PROMPT);
        ExportSummary want = DetectionExport.writeCoco(tmp.resolve("ref.json"), ref);
        DetectionExport.writeYolo(tmp.resolve("ref-yolo"), ref);

        assertThat(Files.readString(tmp.resolve("spark.json"))).isEqualTo(Files.readString(tmp.resolve("ref.json")));
        assertSameFolder(tmp.resolve("spark-yolo"), tmp.resolve("ref-yolo"));
        assertThat(want.annotations()).as("the test has boxes to write").isPositive();
        assertThat(coco.images()).isEqualTo(6).isEqualTo(want.images());
        assertThat(coco.annotations()).isEqualTo(want.annotations());
        assertThat(coco.categories()).isEqualTo(want.categories()).isEqualTo(yolo.categories());
        assertThat(coco.failed()).containsOnlyKeys(BROKEN, "notes.txt");
    }

    @Test
    void classListDatasetsEqualTheLibraryExportsWithTheClassesAsCategories(@TempDir Path tmp) throws IOException {
        Dataset<Row> labelled = labeler().setClasses(CLASSES).setOutputCol("boxes").setErrorCol("problem")
                .transform(files.repartition(3));
        LabelExport export = LabelExport.of(labelled).columnsOf(labeler().setOutputCol("boxes")
                .setErrorCol("problem"));
        LabelExportSummary s = export.writeCoco(tmp.resolve("spark.json"));
        export.writeYolo(tmp.resolve("spark-yolo"));

        Map<String, DetectionResult> ref = reference(CLASSES);
        // what `gdino detect --classes cat,dog --coco F --yolo D` passes: the classes as categories
        DetectionExport.writeCoco(tmp.resolve("ref.json"), ref, CLASSES);
        DetectionExport.writeYolo(tmp.resolve("ref-yolo"), ref, CLASSES);

        assertThat(Files.readString(tmp.resolve("spark.json"))).isEqualTo(Files.readString(tmp.resolve("ref.json")));
        assertSameFolder(tmp.resolve("spark-yolo"), tmp.resolve("ref-yolo"));
        assertThat(s.categories()).isEqualTo(CLASSES);
        assertThat(s.annotations()).isPositive();
    }

    /** A hand-made labelled table (no model): path, detections, width, height, error. */
    static Dataset<Row> table(List<Row> rows) {
        StructType schema = new StructType().add("path", DataTypes.StringType)
                .add("detections", LabelRows.detectionsType(false)).add("width", DataTypes.IntegerType)
                .add("height", DataTypes.IntegerType).add("error", DataTypes.StringType);
        return spark().createDataFrame(rows, schema);
    }

    static Row image(String path, String label, int width) {
        Row box = RowFactory.create(label, -1, 0.5, 1.0, 2.0, 30.0, 40.0);
        return RowFactory.create(path, CollectionConverters.asScala(List.of(box)).toSeq(), width, 50, null);
    }

    @Test
    void namesAreFileNamesOrPathsRelativeToTheBaseAndMustBeUnique(@TempDir Path tmp) throws IOException {
        Dataset<Row> nested = table(List.of(image("s3a://bucket/set/b/x.jpg", "dog", 60),
                image("s3a://bucket/set/a/x.jpg", "cat", 70), image("s3a://bucket/set/a%20b.jpg", "cat", 80)));
        assertThatThrownBy(() -> LabelExport.of(nested).writeCoco(tmp.resolve("c.json")))
                .hasMessageContaining("two images are named 'x.jpg'").hasMessageContaining("baseUri");

        LabelExportSummary s = LabelExport.of(nested).baseUri("s3a://bucket/set").writeCoco(tmp.resolve("c.json"));
        // categories in order of first appearance, images in name order
        assertThat(s.categories()).containsExactly("cat", "dog");
        assertThat(Files.readString(tmp.resolve("c.json")))
                .containsSubsequence("\"a%20b.jpg\"", "\"a/x.jpg\"", "\"b/x.jpg\"");
        // YOLO label files are named by stem: the library refuses two x.txt
        assertThatThrownBy(() -> LabelExport.of(nested).baseUri("s3a://bucket/set").writeYolo(tmp.resolve("yolo")))
                .hasMessageContaining("x.txt");
        assertThatThrownBy(() -> LabelExport.of(nested).baseUri("s3a://other").writeCoco(tmp.resolve("c.json")))
                .hasMessageContaining("is not inside baseUri");
        assertThatThrownBy(() -> LabelExport.of(files).writeCoco(tmp.resolve("c.json")))
                .hasMessageContaining("no column 'detections'");
    }

    @Test
    void byteOrderSortsLikeUnixPaths() {
        List<String> names = new ArrayList<>(List.of("b.jpg", "B.jpg", "a_1.jpg", "a.jpg", "\u00e9.jpg", "z.jpg"));
        names.sort(LabelExport.BYTE_ORDER);
        List<String> paths = new ArrayList<>(names.stream().map(Path::of).sorted().map(Path::toString).toList());
        assertThat(names).isEqualTo(paths).startsWith("B.jpg", "a.jpg", "a_1.jpg");
    }
}
