package dev.groundingdino.spark.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Reads the bytes of an image named by a path column: a plain local path or {@code file:} URI directly, any other
 * URI ({@code hdfs://}, {@code s3a://}, {@code gs://}, ...) through Hadoop's FileSystem with the driver's Hadoop
 * configuration (so {@code spark.hadoop.*} settings and credentials providers apply as for Spark's own reads).
 */
final class ImageBytes {
    private final Map<String, String> hadoopConf;
    private Configuration conf;

    /** @param hadoopConf the driver's Hadoop configuration entries (used for non-local URIs only) */
    ImageBytes(Map<String, String> hadoopConf) {
        this.hadoopConf = hadoopConf;
    }

    /** The file's content. */
    byte[] read(String location) throws IOException {
        URI uri = uri(location);
        if (uri == null || uri.getScheme() == null) {
            return Files.readAllBytes(Path.of(location));
        }
        if (uri.getScheme().equals("file")) {
            return Files.readAllBytes(Path.of(uri.getPath()));
        }
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
        FileSystem fs = p.getFileSystem(configuration());
        try (FSDataInputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    private static URI uri(String location) {
        try {
            return new org.apache.hadoop.fs.Path(location).toUri();
        } catch (IllegalArgumentException notAUri) {
            return null;
        }
    }

    private Configuration configuration() {
        if (conf == null) {
            conf = new Configuration(false);
            hadoopConf.forEach(conf::set);
        }
        return conf;
    }
}
