package dev.groundingdino.spark;

import dev.groundingdino.ImageInput;
import dev.groundingdino.Prompt;
import static dev.groundingdino.spark.SparkTests.BROKEN;
import static dev.groundingdino.spark.SparkTests.CLASSES;
import static dev.groundingdino.spark.SparkTests.PROMPT;
import static dev.groundingdino.spark.SparkTests.detector;
import static dev.groundingdino.spark.SparkTests.images;
import static dev.groundingdino.spark.SparkTests.labeler;
import static dev.groundingdino.spark.SparkTests.spark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageException;
import dev.groundingdino.NmsMode;
import dev.groundingdino.spark.internal.ExecutorModels;
import dev.groundingdino.spark.internal.LabelBox;
import dev.groundingdino.spark.internal.LabelRows;
import dev.groundingdino.testing.TestInputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GroundingDinoLabeler} in Spark local mode on the golden tiny model: every row equals
 * {@code Detector.detect} on its image (bad images included, as error rows), class lists, batches, path input,
 * the once-per-JVM model, the params.
 */
class GroundingDinoLabelerTest {

    /** The reference value of a detection, as the labeller stores it. */
    static LabelBox expected(Detection d) {
        return new LabelBox(d.label(), d.classId(), d.score(), d.box().x0(), d.box().y0(), d.box().x1(), d.box().y1(),
                null);
    }

    static List<LabelBox> boxes(Row row, String column) {
        List<LabelBox> out = new ArrayList<>();
        for (Row r : row.<Row>getList(row.fieldIndex(column))) {
            out.add(LabelRows.fromRow(r));
        }
        return out;
    }

    static Dataset<Row> binaryFiles() {
        return spark().read().format("binaryFile").load(images().toString());
    }

    @Test
    void everyRowEqualsDetectorDetectOnItsImageAndBadFilesBecomeErrorRows() {
        Dataset<Row> files = binaryFiles();
        assertThat(files.rdd().getNumPartitions()).as("the images are spread over both tasks").isGreaterThan(1);
        Dataset<Row> labelled = labeler().setPrompt(PROMPT).transform(files);
        List<Row> rows = labelled.collectAsList();
        assertThat(rows).hasSize(8); // 6 images, broken.jpg, notes.txt
        int errors = 0;
        int found = 0;
        for (Row row : rows) {
            String path = row.getString(row.fieldIndex("path"));
            byte[] content = (byte[]) row.get(row.fieldIndex("content"));
            DetectionResult want;
            try {
                want = detector().detect(ImageInput.of(content), PROMPT);
            } catch (ImageException e) {
                errors++;
                assertThat(row.getString(row.fieldIndex("error"))).as(path).isEqualTo(e.getMessage());
                assertThat(row.isNullAt(row.fieldIndex("detections"))).isTrue();
                assertThat(row.isNullAt(row.fieldIndex("width"))).isTrue();
                continue;
            }
            assertThat(row.isNullAt(row.fieldIndex("error"))).as(path).isTrue();
            assertThat(row.getInt(row.fieldIndex("width"))).isEqualTo(want.width());
            assertThat(row.getInt(row.fieldIndex("height"))).isEqualTo(want.height());
            // exactly the same values (batch size 1: the same forward pass as detect)
            assertThat(boxes(row, "detections")).as(path)
                    .containsExactlyElementsOf(want.detections().stream().map(GroundingDinoLabelerTest::expected)
                            .toList());
            found += want.size();
        }
        assertThat(errors).isEqualTo(2);
        assertThat(found).as("the test thresholds find something").isPositive();
        assertThat(labelled.schema().apply("detections").metadata().getMetadata(GroundingDinoLabeler.METADATA_KEY)
                .getString("prompt")).isEqualTo(PROMPT);
    }

    @Test
    void classListsWithPathInputAndBatchesMatchDetectPerImage(@TempDir Path tmp) throws Exception {
        // four images of one size: a batch of them is not padded, so it matches single calls to float rounding
        List<Row> paths = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path f = Files.write(tmp.resolve("s" + i + ".png"), TestInputs.png(TestInputs.strip(10 + i, 400, 10)));
            paths.add(RowFactory.create(f.toString()));
        }
        paths.add(RowFactory.create(tmp.resolve("missing.png").toString()));
        StructType schema = new StructType().add("path", DataTypes.StringType);
        Dataset<Row> table = spark().createDataFrame(paths, schema).repartition(2);
        GroundingDinoLabeler labeler = labeler().setClasses(CLASSES).setClassMatching(ClassMatching.TOKEN_SPANS)
                .setNms(NmsMode.PER_LABEL, 0.5).setBatchSize(2).setInputCol("path").setOutputCol("labels");
        List<Row> rows = labeler.transform(table).collectAsList();
        assertThat(rows).hasSize(5);
        int found = 0;
        try (Detector d = detector().withClassMatching(ClassMatching.TOKEN_SPANS).withNms(NmsMode.PER_LABEL, 0.5)) {
            for (Row row : rows) {
                Path file = Path.of(row.getString(0));
                if (!Files.exists(file)) {
                    assertThat(row.getString(row.fieldIndex("error"))).startsWith("cannot read " + file)
                            .contains("NoSuchFileException");
                    continue;
                }
                DetectionResult want = d.detect(ImageInput.of(file), Prompt.classes(CLASSES));
                List<LabelBox> got = boxes(row, "labels");
                assertThat(got).hasSameSizeAs(want.detections());
                for (int i = 0; i < got.size(); i++) {
                    LabelBox g = got.get(i);
                    LabelBox w = expected(want.detections().get(i));
                    assertThat(g.label()).isEqualTo(w.label());
                    assertThat(g.classId()).isEqualTo(w.classId()).isBetween(0, 1);
                    assertThat(g.score()).isCloseTo(w.score(), within(1e-5));
                    assertThat(new double[] {g.x0(), g.y0(), g.x1(), g.y1()})
                            .containsExactly(new double[] {w.x0(), w.y0(), w.x1(), w.y1()}, within(1e-3));
                }
                found += got.size();
            }
        }
        assertThat(found).isPositive();
    }

    @Test
    void theModelIsLoadedOncePerJvmAndSharedByAllTasks() {
        GroundingDinoLabeler labeler = labeler().setPrompt(PROMPT);
        Dataset<Row> files = binaryFiles().repartition(4);
        assertThat(labeler.transform(files).filter("error IS NULL").count()).isEqualTo(6);
        assertThat(labeler.setBoxThreshold(0.9).transform(files).count()).isEqualTo(8);
        // 8 tasks, two at a time, other thresholds, and every other test of this JVM: one load
        assertThat(ExecutorModels.loadCount(labeler.settings().detectorKey())).isEqualTo(1);
        assertThat(ExecutorModels.loaded()).contains(labeler.settings().detectorKey());
    }

    @Test
    void paramsAreValidatedBeforeAnyTaskRuns() {
        Dataset<Row> files = binaryFiles();
        assertThatThrownBy(() -> new GroundingDinoLabeler().setPrompt(PROMPT).transform(files))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set the weights");
        assertThatThrownBy(() -> labeler().transform(files)).hasMessageContaining("either a prompt");
        assertThatThrownBy(() -> labeler().setPrompt(" ").transform(files)).hasMessageContaining("blank");
        assertThatThrownBy(() -> labeler().setPrompt(PROMPT).setOutputCol("path").transform(files))
                .hasMessageContaining("'path' already exists");
        assertThatThrownBy(() -> labeler().setPrompt(PROMPT).setInputCol("length").transform(files))
                .hasMessageContaining("must be binary");
        assertThatThrownBy(() -> labeler().setPrompt(PROMPT).setBoxThreshold(1.5).transform(files))
                .hasMessageContaining("boxThreshold must be in [0, 1]");
        GroundingDinoLabeler tpu = labeler().setPrompt(PROMPT);
        tpu.set(tpu.device(), "TPU");
        assertThatThrownBy(() -> tpu.transform(files))
                .hasMessageContaining("device must be one of [CPU, CUDA]");
        // setClasses replaces the prompt and back
        GroundingDinoLabeler l = labeler().setPrompt(PROMPT).setClasses("cat");
        assertThat(l.getPrompt()).isNull();
        assertThat(l.setPrompt("dog").getClasses()).isNull();
    }

    @Test
    void savesAndLoadsItsParams(@TempDir Path tmp) throws Exception {
        GroundingDinoLabeler l = labeler().setClasses(CLASSES).setBatchSize(3).setNms(NmsMode.PER_LABEL, 0.4);
        l.write().save(tmp.resolve("labeler").toString());
        GroundingDinoLabeler back = GroundingDinoLabeler.load(tmp.resolve("labeler").toString());
        assertThat(back.uid()).isEqualTo(l.uid());
        assertThat(back.settings()).isEqualTo(l.settings());
        assertThat(back.copy(new org.apache.spark.ml.param.ParamMap()).settings()).isEqualTo(l.settings());
    }
}
