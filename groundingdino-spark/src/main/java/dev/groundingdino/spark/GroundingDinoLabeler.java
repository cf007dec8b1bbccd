package dev.groundingdino.spark;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.Device;
import dev.groundingdino.NmsMode;
import dev.groundingdino.Precision;
import dev.groundingdino.spark.internal.LabelRows;
import dev.groundingdino.spark.internal.LabelSettings;
import dev.groundingdino.spark.internal.PartitionLabeler;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that auto-labels images with GroundingDINO: for every row it detects the objects
 * named by a prompt or a class list in the row's image and appends
 * <ul>
 *   <li>{@link #outputCol()} (default {@code detections}): {@code array<struct<label: string, class_id: int,
 *       score: double, x0: double, y0: double, x1: double, y1: double>>}, the boxes in pixels of the image
 *       (corners, origin top-left, not clipped) in the detector's order, exactly {@code Detector.detect}'s values;
 *       with {@link #samWeights()} each struct also has {@code mask: struct<size: array<int>, counts: string>},
 *       the box's Grounded-SAM mask in COCO RLE ({@code pycocotools.mask.encode}'s compressed form);</li>
 *   <li>{@link #widthCol()} / {@link #heightCol()} ({@code width}, {@code height}): the image size;</li>
 *   <li>{@link #errorCol()} ({@code error}): null, or why the image could not be labelled (an unreadable or
 *       corrupt image does not fail the job: its row has this message, null detections and null size).</li>
 * </ul>
 * The image column ({@link #inputCol()}, default {@code content}) holds the encoded bytes of an image file, as
 * {@code spark.read().format("binaryFile")} gives them, or a path / URI string (local, {@code hdfs://},
 * {@code s3a://}, ... read with the session's Hadoop configuration).
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("s3a://bucket/images/*.jpg");
 * Dataset<Row> labelled = new GroundingDinoLabeler()
 *         .setWeights("groundingdino_swint_ogc.pth")   // on every executor, or shipped with --files
 *         .setClasses("cat", "dog")
 *         .transform(images);
 * LabelExport.of(labelled).writeCoco(Path.of("instances.json"));
 * }</pre>
 *
 * <p>Each executor JVM loads the model once (the first task that needs it), shares it between its concurrent tasks
 * and closes it when the JVM ends; tasks run {@link #batchSize()} images per forward pass. The job's prompt or
 * classes are recorded in the output column's metadata (key {@value #METADATA_KEY}) for {@link LabelExport}.
 */
public final class GroundingDinoLabeler extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** The key of the output column's metadata: {@code {"prompt": ..., "classes": [...], "weights": ...}}. */
    public static final String METADATA_KEY = "groundingdino";

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> widthCol;
    private final Param<String> heightCol;
    private final Param<String> errorCol;
    private final Param<String> weights;
    private final Param<String> config;
    private final Param<String> prompt;
    private final StringArrayParam classes;
    private final Param<String> classMatching;
    private final DoubleParam boxThreshold;
    private final DoubleParam textThreshold;
    private final BooleanParam removeCombined;
    private final Param<String> nmsMode;
    private final DoubleParam nmsIou;
    private final Param<String> device;
    private final Param<String> precision;
    private final IntParam threads;
    private final IntParam batchSize;
    private final Param<String> samWeights;

    public GroundingDinoLabeler() {
        this(Identifiable.randomUID("gdinoLabeler"));
    }

    public GroundingDinoLabeler(String uid) {
        this.uid = uid; // before the params: a Param reads its parent's uid
        inputCol = new Param<>(this, "inputCol", "image column: encoded image bytes (binary) or a path/URI (string)");
        outputCol = new Param<>(this, "outputCol", "detections column (array of label, class_id, score, x0..y1)");
        widthCol = new Param<>(this, "widthCol", "image width column");
        heightCol = new Param<>(this, "heightCol", "image height column");
        errorCol = new Param<>(this, "errorCol", "column with why an image could not be labelled (else null)");
        weights = new Param<>(this, "weights",
                "GroundingDINO checkpoint (.pth/.safetensors) present on every executor (or shipped with --files), "
                        + "or 'demo'");
        config = new Param<>(this, "config", "model config (.py or .json) for checkpoints not recognised by shape");
        prompt = new Param<>(this, "prompt", "what to find, e.g. \"cat . dog\" (or set classes)");
        classes = new StringArrayParam(this, "classes", "a class list instead of a prompt (detections get class ids)");
        classMatching = new Param<>(this, "classMatching", "class-list matching: REFERENCE or TOKEN_SPANS");
        boxThreshold = new DoubleParam(this, "boxThreshold", "keep boxes scoring above this, in [0, 1]");
        textThreshold = new DoubleParam(this, "textThreshold", "label tokens scoring above this, in [0, 1]");
        removeCombined = new BooleanParam(this, "removeCombined", "the reference's remove_combined");
        nmsMode = new Param<>(this, "nmsMode", "non-maximum suppression: NONE, CLASS_AGNOSTIC or PER_LABEL");
        nmsIou = new DoubleParam(this, "nmsIou", "non-maximum suppression IoU threshold, in [0, 1]");
        device = new Param<>(this, "device", "CPU or CUDA");
        precision = new Param<>(this, "precision", "FP32, BF16, or FP16 (CUDA only)");
        threads = new IntParam(this, "threads",
                "libtorch intra-op CPU threads per executor JVM (process-wide, set by the first model load), "
                        + "0 = the tasks' spark.task.cpus (1 by default)");
        batchSize = new IntParam(this, "batchSize", "images per forward pass");
        samWeights = new Param<>(this, "samWeights",
                "Segment Anything checkpoint: adds each box's Grounded-SAM mask (COCO RLE); empty = boxes only");
        setDefault(inputCol, "content");
        setDefault(outputCol, "detections");
        setDefault(widthCol, "width");
        setDefault(heightCol, "height");
        setDefault(errorCol, "error");
        setDefault(config, "");
        setDefault(classMatching, ClassMatching.REFERENCE.name());
        setDefault(boxThreshold, 0.35);
        setDefault(textThreshold, 0.25);
        setDefault(removeCombined, false);
        setDefault(nmsMode, NmsMode.NONE.name());
        setDefault(nmsIou, 0.5);
        setDefault(device, Device.CPU.name());
        setDefault(precision, Precision.FP32.name());
        setDefault(threads, 0);
        setDefault(batchSize, 1);
        setDefault(samWeights, "");
    }

    /** Reads a labeller saved with {@code write().save(path)} (or inside a saved {@code PipelineModel}). */
    public static MLReader<GroundingDinoLabeler> read() {
        return new DefaultParamsReadable<GroundingDinoLabeler>() {}.read();
    }

    /** {@code read().load(path)}. */
    public static GroundingDinoLabeler load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- params (Spark finds them through these public accessors) ----

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> widthCol() {
        return widthCol;
    }

    public Param<String> heightCol() {
        return heightCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public Param<String> weights() {
        return weights;
    }

    public Param<String> config() {
        return config;
    }

    public Param<String> prompt() {
        return prompt;
    }

    public StringArrayParam classes() {
        return classes;
    }

    public Param<String> classMatching() {
        return classMatching;
    }

    public DoubleParam boxThreshold() {
        return boxThreshold;
    }

    public DoubleParam textThreshold() {
        return textThreshold;
    }

    public BooleanParam removeCombined() {
        return removeCombined;
    }

    public Param<String> nmsMode() {
        return nmsMode;
    }

    public DoubleParam nmsIou() {
        return nmsIou;
    }

    public Param<String> device() {
        return device;
    }

    public Param<String> precision() {
        return precision;
    }

    public IntParam threads() {
        return threads;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public Param<String> samWeights() {
        return samWeights;
    }

    // ---- setters ----

    public GroundingDinoLabeler setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public GroundingDinoLabeler setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public GroundingDinoLabeler setWidthCol(String value) {
        set(widthCol, value);
        return this;
    }

    public GroundingDinoLabeler setHeightCol(String value) {
        set(heightCol, value);
        return this;
    }

    public GroundingDinoLabeler setErrorCol(String value) {
        set(errorCol, value);
        return this;
    }

    /** The checkpoint: a path that exists on every executor, a file shipped with {@code --files}, or {@code demo}. */
    public GroundingDinoLabeler setWeights(String value) {
        set(weights, value);
        return this;
    }

    public GroundingDinoLabeler setConfig(String value) {
        set(config, value);
        return this;
    }

    /** A free prompt ({@code "cat . dog"}); clears a class list. */
    public GroundingDinoLabeler setPrompt(String value) {
        clear(classes);
        set(prompt, value);
        return this;
    }

    /** A class list (the reference's {@code predict_with_classes}); clears a prompt. */
    public GroundingDinoLabeler setClasses(String... value) {
        clear(prompt);
        set(classes, value.clone());
        return this;
    }

    /** A class list; clears a prompt. */
    public GroundingDinoLabeler setClasses(List<String> value) {
        return setClasses(value.toArray(new String[0]));
    }

    public GroundingDinoLabeler setClassMatching(ClassMatching value) {
        set(classMatching, value.name());
        return this;
    }

    public GroundingDinoLabeler setBoxThreshold(double value) {
        set(boxThreshold, value);
        return this;
    }

    public GroundingDinoLabeler setTextThreshold(double value) {
        set(textThreshold, value);
        return this;
    }

    public GroundingDinoLabeler setRemoveCombined(boolean value) {
        set(removeCombined, value);
        return this;
    }

    public GroundingDinoLabeler setNms(NmsMode mode, double iou) {
        set(nmsMode, mode.name());
        set(nmsIou, iou);
        return this;
    }

    public GroundingDinoLabeler setDevice(Device value) {
        set(device, value.name());
        return this;
    }

    public GroundingDinoLabeler setPrecision(Precision value) {
        set(precision, value.name());
        return this;
    }

    /**
     * libtorch's intra-op threads in each executor JVM (process-wide: the value of the first model load wins); 0
     * (default) takes the task's CPUs ({@code spark.task.cpus}, 1 unless set): an executor with E cores runs E tasks
     * at once, one thread each. Give each task more threads with {@code spark.task.cpus} (fewer tasks at once).
     */
    public GroundingDinoLabeler setThreads(int value) {
        set(threads, value);
        return this;
    }

    public GroundingDinoLabeler setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    /** A Segment Anything checkpoint for Grounded-SAM masks; empty for boxes only. */
    public GroundingDinoLabeler setSamWeights(String value) {
        set(samWeights, value);
        return this;
    }

    // ---- getters ----

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public String getWidthCol() {
        return getOrDefault(widthCol);
    }

    public String getHeightCol() {
        return getOrDefault(heightCol);
    }

    public String getErrorCol() {
        return getOrDefault(errorCol);
    }

    /** The prompt, or null. */
    public String getPrompt() {
        return isDefined(prompt) ? getOrDefault(prompt) : null;
    }

    /** The class list, or null. */
    public List<String> getClasses() {
        return isDefined(classes) ? List.of(getOrDefault(classes)) : null;
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    /**
     * The executor-side settings, validated: exactly one of prompt and classes, known enum names, thresholds in
     * [0, 1], a positive batch size.
     *
     * @throws IllegalArgumentException naming the param to fix
     */
    public LabelSettings settings() {
        if (!isDefined(weights) || getOrDefault(weights).isBlank()) {
            throw new IllegalArgumentException("set the weights: a GroundingDINO checkpoint on every executor, a file "
                    + "shipped with --files, or 'demo'");
        }
        String p = getPrompt();
        List<String> c = getClasses();
        if ((p == null) == (c == null)) {
            throw new IllegalArgumentException("set either a prompt (setPrompt(\"cat . dog\")) or a class list "
                    + "(setClasses(\"cat\", \"dog\"))");
        }
        if (c != null && c.isEmpty()) {
            throw new IllegalArgumentException("the class list is empty");
        }
        if (p != null && p.isBlank()) {
            throw new IllegalArgumentException("the prompt is blank: name the objects to find, e.g. \"cat . dog\"");
        }
        String cfg = getOrDefault(config);
        String sam = getOrDefault(samWeights);
        return new LabelSettings(getOrDefault(weights), cfg.isBlank() ? null : cfg,
                enumValue(Device.class, device), enumValue(Precision.class, precision), (Integer) getOrDefault(threads),
                p, c == null ? null : c.stream().map(String::strip).toList(),
                enumValue(ClassMatching.class, classMatching), unit(boxThreshold), unit(textThreshold),
                (Boolean) getOrDefault(removeCombined), enumValue(NmsMode.class, nmsMode), unit(nmsIou),
                getBatchSize(), sam.isBlank() ? null : sam);
    }

    private <E extends Enum<E>> E enumValue(Class<E> type, Param<String> param) {
        String value = getOrDefault(param);
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(param.name() + " must be one of "
                    + Arrays.toString(type.getEnumConstants()) + ", got '" + value + "'", e);
        }
    }

    private double unit(DoubleParam param) {
        double v = (Double) getOrDefault(param);
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(param.name() + " must be in [0, 1], got " + v);
        }
        return v;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = getInputCol();
        if (!List.of(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("no image column '" + in + "' in " + schema.simpleString()
                    + "; set inputCol (binary content, e.g. from spark.read().format(\"binaryFile\"), or a path)");
        }
        DataType type = schema.apply(in).dataType();
        if (!type.equals(DataTypes.BinaryType) && !type.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("image column '" + in + "' must be binary (the file's bytes) or a "
                    + "string (a path or URI), not " + type.simpleString());
        }
        for (String out : List.of(getOutputCol(), getWidthCol(), getHeightCol(), getErrorCol())) {
            if (List.of(schema.fieldNames()).contains(out)) {
                throw new IllegalArgumentException("output column '" + out + "' already exists; drop it or choose "
                        + "another name");
            }
        }
        LabelSettings s = settings();
        StructField[] fields = Arrays.copyOf(schema.fields(), schema.fields().length + 4);
        int n = schema.fields().length;
        fields[n] = new StructField(getOutputCol(), LabelRows.detectionsType(s.masks()), true, metadata(s));
        fields[n + 1] = new StructField(getWidthCol(), DataTypes.IntegerType, true, Metadata.empty());
        fields[n + 2] = new StructField(getHeightCol(), DataTypes.IntegerType, true, Metadata.empty());
        fields[n + 3] = new StructField(getErrorCol(), DataTypes.StringType, true, Metadata.empty());
        return new StructType(fields);
    }

    private static Metadata metadata(LabelSettings s) {
        MetadataBuilder job = new MetadataBuilder().putString("weights", s.weights());
        if (s.prompt() != null) {
            job.putString("prompt", s.prompt());
        } else {
            job.putStringArray("classes", s.classes().toArray(new String[0]));
        }
        return new MetadataBuilder().putMetadata(METADATA_KEY, job.build()).build();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        LabelSettings s = settings();
        String in = getInputCol();
        int index = dataset.schema().fieldIndex(in);
        boolean binary = dataset.schema().apply(in).dataType().equals(DataTypes.BinaryType);
        Map<String, String> hadoopConf = new HashMap<>();
        if (!binary) {
            dataset.sparkSession().sparkContext().hadoopConfiguration()
                    .forEach(e -> hadoopConf.put(e.getKey(), e.getValue()));
        }
        Dataset<Row> labelled = dataset.toDF().mapPartitions(new PartitionLabeler(s, index, binary, hadoopConf),
                Encoders.row(out));
        return labelled.withMetadata(getOutputCol(), out.apply(getOutputCol()).metadata());
    }

    @Override
    public GroundingDinoLabeler copy(ParamMap extra) {
        return (GroundingDinoLabeler) defaultCopy(extra);
    }

    @Override
    public String toString() {
        return "GroundingDinoLabeler[" + uid + "]";
    }
}
