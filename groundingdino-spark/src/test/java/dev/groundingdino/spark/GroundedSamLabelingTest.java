package dev.groundingdino.spark;

import static dev.groundingdino.spark.SparkTests.PROMPT;
import static dev.groundingdino.spark.SparkTests.detector;
import static dev.groundingdino.spark.SparkTests.images;
import static dev.groundingdino.spark.SparkTests.labeler;
import static dev.groundingdino.spark.SparkTests.spark;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.ImageInput;
import dev.groundingdino.Detector;
import dev.groundingdino.sam.CocoRle;
import dev.groundingdino.sam.GroundedMask;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.Segmenter;
import dev.groundingdino.spark.internal.LabelBox;
import dev.groundingdino.spark.internal.LabelRows;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Grounded-SAM masks in the labeller's output equal {@code GroundedSam.run}'s, as COCO RLE. */
class GroundedSamLabelingTest {
    /** A stricter box threshold: a few boxes are enough (each mask costs a SAM decoder pass). */
    private static final double BOX = 0.95;

    @Test
    void masksEqualGroundedSamRunAsCocoRle() {
        Path sam = Golden.samSuite().resolve("sam.pth");
        Dataset<Row> files = spark().read().format("binaryFile").option("pathGlobFilter", "strip_a.png")
                .load(images().toString());
        Dataset<Row> labelled = labeler().setBoxThreshold(BOX).setPrompt(PROMPT).setSamWeights(sam.toString()).transform(files);
        assertThat(labelled.schema().apply("detections").dataType())
                .isEqualTo(LabelRows.detectionsType(true));
        int masks = 0;
        List<Row> rows = labelled.collectAsList();
        try (Segmenter segmenter = Segmenter.load(sam);
                Detector detector = detector().withThresholds(BOX, SparkTests.TEXT_THRESHOLD)) {
            for (Row row : rows) {
                byte[] content = (byte[]) row.get(row.fieldIndex("content"));
                GroundedSamResult want = GroundedSam.run(detector, segmenter, ImageInput.of(content), PROMPT);
                List<Row> got = row.getList(row.fieldIndex("detections"));
                assertThat(got).hasSize(want.size());
                for (int i = 0; i < got.size(); i++) {
                    LabelBox box = LabelRows.fromRow(got.get(i));
                    GroundedMask m = want.masks().get(i);
                    CocoRle rle = m.mask().toRle();
                    assertThat(box.label()).isEqualTo(m.label());
                    assertThat(box.mask()).isEqualTo(new LabelBox.Rle(rle.height(), rle.width(),
                            rle.toCompressedString()));
                    assertThat(CocoRle.fromCompressedString(box.mask().height(), box.mask().width(),
                            box.mask().counts()).area()).isEqualTo(m.mask().area());
                    masks++;
                }
            }
        }
        assertThat(masks).as("the test images have detections to segment").isPositive();
    }
}
