package dev.groundingdino.spark.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/**
 * Finds a model file on an executor: the path as given when it exists there (a local or shared-filesystem path,
 * the same on every node), else the file of that name shipped with {@code spark-submit --files} (or
 * {@code SparkContext.addFile}), which Spark places in each executor's work folder.
 */
final class ModelFiles {
    private ModelFiles() {}

    /** The local file for {@code given}; {@code given} itself when neither exists (the loader then says so). */
    static Path locate(String given) {
        Path path = Path.of(given);
        if (Files.exists(path)) {
            return path;
        }
        try {
            Path shipped = Path.of(SparkFiles.get(path.getFileName().toString()));
            if (Files.isRegularFile(shipped)) {
                return shipped;
            }
        } catch (RuntimeException noSparkEnv) {
            // not inside a Spark application (e.g. a unit test): nothing was shipped
        }
        return path;
    }
}
