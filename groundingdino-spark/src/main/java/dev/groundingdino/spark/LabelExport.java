package dev.groundingdino.spark;

import dev.groundingdino.ExportSummary;
import dev.groundingdino.spark.internal.DetectorAdapter;
import dev.groundingdino.spark.internal.ImageLabels;
import dev.groundingdino.spark.internal.LabelBox;
import dev.groundingdino.spark.internal.LabelRows;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.Metadata;

/**
 * Writes a DataFrame labelled by {@link GroundingDinoLabeler} as a COCO instances file or a YOLO label folder,
 * with the library's own exporters ({@code dev.groundingdino.DetectionExport}): the files are exactly those that
 * {@code gdino detect --dir D --coco F} / {@code --yolo DIR} write for the same images and options.
 *
 * <ul>
 *   <li>Image names ({@code file_name} in COCO, the label file stem in YOLO) come from {@link #nameCol} (default
 *       {@code path}, as {@code binaryFile} gives it): the file name, or with {@link #baseUri} the path relative
 *       to that folder. Images are written in name order (byte order, as {@code gdino detect} sorts a folder).</li>
 *   <li>Categories: {@link #categories} if given, else the labeller's class list (from the output column's
 *       metadata), else the distinct labels in image order: the rules of {@code DetectionExport}.</li>
 *   <li>Rows with an error are not written; the summary lists them.</li>
 * </ul>
 * The writers run on the driver and write local files: the DataFrame's label columns (not the images) are collected
 * ONCE, on the first write (some 100 bytes per detection), and reused by later writes of the same exporter.
 */
public final class LabelExport {
    private final Dataset<Row> labelled;
    private String nameCol = "path";
    private String outputCol = "detections";
    private String widthCol = "width";
    private String heightCol = "height";
    private String errorCol = "error";
    private String baseUri;
    private List<String> categories;
    private Collected collected;

    private LabelExport(Dataset<Row> labelled) {
        this.labelled = Objects.requireNonNull(labelled, "labelled");
    }

    /** An exporter of {@code labelled} with the labeller's default column names. */
    public static LabelExport of(Dataset<Row> labelled) {
        return new LabelExport(labelled);
    }

    /** Takes the label columns' names from the labeller that made the DataFrame. */
    public LabelExport columnsOf(GroundingDinoLabeler labeler) {
        outputCol = labeler.getOutputCol();
        widthCol = labeler.getWidthCol();
        heightCol = labeler.getHeightCol();
        errorCol = labeler.getErrorCol();
        return changed();
    }

    /** The column naming each image (a path or URI string; default {@code path}). */
    public LabelExport nameCol(String column) {
        nameCol = Objects.requireNonNull(column, "column");
        return changed();
    }

    /**
     * Names images by their path relative to this folder (e.g. {@code s3a://bucket/images}) instead of their file
     * name; needed when images in different folders share a file name.
     */
    public LabelExport baseUri(String folder) {
        baseUri = folder;
        return changed();
    }

    /** Explicit categories (as {@code DetectionExport}'s): detections map to them by class id or label. */
    public LabelExport categories(List<String> names) {
        categories = names == null ? null : List.copyOf(names);
        return this;
    }

    private LabelExport changed() {
        collected = null;
        return this;
    }

    /**
     * Writes the COCO instances file, as {@code DetectionExport.writeCoco} (and {@code gdino detect --coco}).
     *
     * @throws IllegalArgumentException if two images get the same name, or a column is missing
     * @throws dev.groundingdino.GroundingDinoException if the file cannot be written
     */
    public LabelExportSummary writeCoco(Path file) {
        Collected c = collect();
        ExportSummary s = DetectorAdapter.writeCoco(file, c.labelled, c.caption, c.classes, categoriesFor(c));
        return new LabelExportSummary(s.images(), s.annotations(), s.skipped(), s.categories(), c.failed);
    }

    /**
     * Writes the YOLO label folder ({@code classes.txt} and one {@code <stem>.txt} per image), as
     * {@code DetectionExport.writeYolo} (and {@code gdino detect --yolo}).
     *
     * @throws IllegalArgumentException if two images get the same name or stem, or a column is missing
     */
    public LabelExportSummary writeYolo(Path dir) {
        Collected c = collect();
        ExportSummary s = DetectorAdapter.writeYolo(dir, c.labelled, c.caption, c.classes, categoriesFor(c));
        return new LabelExportSummary(s.images(), s.annotations(), s.skipped(), s.categories(), c.failed);
    }

    /** What {@code gdino detect} passes: explicit categories, else the class list of a class-list job. */
    private List<String> categoriesFor(Collected c) {
        return categories != null ? categories : c.classes;
    }

    /** The labelled images (name -> labels, in name order) and the failed ones; collected once. */
    private Collected collect() {
        if (collected != null) {
            return collected;
        }
        List<String> columns = Arrays.asList(labelled.columns());
        for (String col : List.of(nameCol, outputCol, widthCol, heightCol, errorCol)) {
            if (!columns.contains(col)) {
                throw new IllegalArgumentException("no column '" + col + "' in " + columns + "; label the DataFrame "
                        + "with GroundingDinoLabeler first (columnsOf(labeler) for renamed columns, nameCol(..) for "
                        + "the image names)");
            }
        }
        Metadata job = labelled.schema().apply(outputCol).metadata();
        List<String> classes = null;
        String caption = "";
        if (job.contains(GroundingDinoLabeler.METADATA_KEY)) {
            Metadata m = job.getMetadata(GroundingDinoLabeler.METADATA_KEY);
            if (m.contains("classes")) {
                classes = List.of(m.getStringArray("classes"));
                caption = String.join(". ", classes);
            } else if (m.contains("prompt")) {
                caption = m.getString("prompt");
            }
        }
        List<Row> rows = labelled.select(nameCol, outputCol, widthCol, heightCol, errorCol).collectAsList();
        List<Map.Entry<String, Row>> named = new ArrayList<>(rows.size());
        for (Row r : rows) {
            named.add(Map.entry(name(r.isNullAt(0) ? "" : r.get(0).toString()), r));
        }
        named.sort(Map.Entry.comparingByKey(BYTE_ORDER));
        Map<String, ImageLabels> ok = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        String previous = null;
        for (Map.Entry<String, Row> e : named) {
            String name = e.getKey();
            if (name.equals(previous)) {
                throw new IllegalArgumentException("two images are named '" + name + "'; set baseUri(folder) to name "
                        + "them by their path relative to it");
            }
            previous = name;
            Row r = e.getValue();
            if (!r.isNullAt(4)) {
                failed.put(name, r.getString(4));
                continue;
            }
            List<Row> structs = r.getList(1);
            List<LabelBox> boxes = new ArrayList<>(structs.size());
            for (Row s : structs) {
                boxes.add(LabelRows.fromRow(s));
            }
            ok.put(name, new ImageLabels(r.getInt(2), r.getInt(3), boxes, null));
        }
        collected = new Collected(ok, failed, classes, caption);
        return collected;
    }

    /** The image's name: its file name, or its path relative to {@link #baseUri}. */
    String name(String location) {
        String path = normalized(location);
        if (baseUri != null) {
            String base = normalized(baseUri);
            if (!base.endsWith("/")) {
                base += "/";
            }
            if (!path.startsWith(base)) {
                throw new IllegalArgumentException("image " + location + " is not inside baseUri " + baseUri);
            }
            return path.substring(base.length());
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * A path or URI as {@code scheme://authority/path} with the path decoded, a plain path taken as {@code file}
     * ({@code file:/a/b c.jpg} and {@code /a/b c.jpg} -> {@code file:///a/b c.jpg}).
     */
    private static String normalized(String location) {
        URI uri = new org.apache.hadoop.fs.Path(location).toUri();
        String scheme = uri.getScheme() == null ? "file" : uri.getScheme();
        String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
        return scheme + "://" + authority + uri.getPath();
    }

    /** Unsigned UTF-8 byte order: how {@code gdino detect} sorts a folder's paths on Unix. */
    static final Comparator<String> BYTE_ORDER = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
            b.getBytes(StandardCharsets.UTF_8));

    private record Collected(Map<String, ImageLabels> labelled, Map<String, String> failed, List<String> classes,
            String caption) {}
}
