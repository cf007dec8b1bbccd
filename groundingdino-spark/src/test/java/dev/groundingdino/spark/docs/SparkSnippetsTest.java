package dev.groundingdino.spark.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.spark.LabelExportSummary;
import dev.groundingdino.spark.SparkTests;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the snippets of docs/spark.md on the test images with the demo model. */
class SparkSnippetsTest {

    @Test
    void theDocumentedJobLabelsExportsAndFlattens(@TempDir Path tmp) {
        String parquet = tmp.resolve("labels.parquet").toUri().toString();
        LabelExportSummary coco = SparkSnippets.label(SparkTests.spark(), SparkTests.images().toUri().toString(),
                "demo", parquet, tmp.resolve("instances.json"));
        assertThat(coco.images()).isEqualTo(6);
        assertThat(coco.failed()).containsOnlyKeys(SparkTests.BROKEN, "notes.txt");
        assertThat(coco.categories()).containsExactly("cat", "dog");
        assertThat(Files.exists(tmp.resolve("instances.json"))).isTrue();
        Dataset<Row> boxes = SparkSnippets.boxes(SparkTests.spark(), parquet);
        assertThat(boxes.columns()).containsExactly("path", "label", "class_id", "score", "x0", "y0", "x1", "y1");
        long rows = boxes.count();
        long total = SparkTests.spark().read().parquet(parquet).where("error IS NULL")
                .selectExpr("sum(size(detections))").first().getLong(0);
        assertThat(rows).isEqualTo(total);
    }
}
