package dev.groundingdino.spark.docs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import dev.groundingdino.spark.GroundingDinoLabeler;
import dev.groundingdino.spark.LabelExport;
import dev.groundingdino.spark.LabelExportSummary;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Java snippets of docs/spark.md (the tagged regions, checked against the page by the examples module's
 * DocSnippetsTest), compiled here and run by {@link SparkSnippetsTest}.
 */
final class SparkSnippets {
    private SparkSnippets() {}

    static LabelExportSummary label(SparkSession spark, String imagesUri, String weights, String parquetUri,
            Path cocoFile) {
        // tag::spark-label[]
        Dataset<Row> images = spark.read().format("binaryFile").load(imagesUri);
        GroundingDinoLabeler labeler = new GroundingDinoLabeler()
                .setWeights(weights)                    // a path on every executor, a --files name, or "demo"
                .setClasses("cat", "dog")               // or .setPrompt("cat . dog")
                .setBoxThreshold(0.35)
                .setTextThreshold(0.25);
        Dataset<Row> labelled = labeler.transform(images).drop("content").cache();
        labelled.write().parquet(parquetUri);           // path, ..., detections, width, height, error
        LabelExportSummary coco = LabelExport.of(labelled).writeCoco(cocoFile);
        System.out.println(coco.images() + " images, " + coco.annotations() + " boxes, failed: " + coco.failed());
        // end::spark-label[]
        labelled.unpersist();
        return coco;
    }

    static Dataset<Row> boxes(SparkSession spark, String parquetUri) {
        // tag::spark-boxes[]
        Dataset<Row> boxes = spark.read().parquet(parquetUri)
                .where("error IS NULL")
                .select(col("path"), explode(col("detections")).as("d"))
                .select("path", "d.label", "d.class_id", "d.score", "d.x0", "d.y0", "d.x1", "d.y1");
        // end::spark-boxes[]
        return boxes;
    }
}
