package dev.groundingdino.spark.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Labels one partition: reads the image column of up to {@code batchSize} rows, runs them through one batched
 * forward pass on this JVM's shared detector, and emits each input row with the label columns appended
 * (detections, width, height, error). Lazy: a partition is pulled batch by batch, never held whole.
 */
public final class PartitionLabeler implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final LabelSettings settings;
    private final int inputIndex;
    private final boolean binaryInput;
    private final Map<String, String> hadoopConf;

    /**
     * @param inputIndex the image column's index in the input rows
     * @param binaryInput whether that column holds encoded image bytes (else a path or URI string)
     * @param hadoopConf the driver's Hadoop configuration, for reading non-local paths (empty for binary input)
     */
    public PartitionLabeler(LabelSettings settings, int inputIndex, boolean binaryInput,
            Map<String, String> hadoopConf) {
        this.settings = settings;
        this.inputIndex = inputIndex;
        this.binaryInput = binaryInput;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return rows; // an empty partition loads no model
        }
        TaskContext task = TaskContext.get();
        DetectorAdapter.Session session = DetectorAdapter.open(settings, threads(settings, task));
        if (task != null) { // also when the task fails or is killed half-way (close is idempotent)
            task.addTaskCompletionListener((TaskCompletionListener) ctx -> session.close());
        }
        ImageBytes reader = new ImageBytes(hadoopConf);
        return new Iterator<>() {
            private final List<Row> pending = new ArrayList<>();
            private int next;
            private boolean closed;

            @Override
            public boolean hasNext() {
                if (next < pending.size()) {
                    return true;
                }
                if (closed) {
                    return false;
                }
                if (!rows.hasNext()) {
                    session.close();
                    closed = true;
                    return false;
                }
                fill();
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.get(next++);
            }

            private void fill() {
                pending.clear();
                next = 0;
                List<Row> batch = new ArrayList<>(settings.batchSize());
                while (batch.size() < settings.batchSize() && rows.hasNext()) {
                    batch.add(rows.next());
                }
                ImageLabels[] labels = new ImageLabels[batch.size()];
                List<byte[]> images = new ArrayList<>(batch.size());
                List<Integer> at = new ArrayList<>(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    Row row = batch.get(i);
                    if (row.isNullAt(inputIndex)) {
                        labels[i] = ImageLabels.failed("no image: the input column is null");
                        continue;
                    }
                    try {
                        images.add(binaryInput ? (byte[]) row.get(inputIndex) : reader.read(row.getString(inputIndex)));
                        at.add(i);
                    } catch (IOException | RuntimeException e) {
                        labels[i] = ImageLabels.failed("cannot read " + row.get(inputIndex) + ": " + e);
                    }
                }
                if (!images.isEmpty()) {
                    List<ImageLabels> done = session.label(images);
                    for (int k = 0; k < done.size(); k++) {
                        labels[at.get(k)] = done.get(k);
                    }
                }
                for (int i = 0; i < batch.size(); i++) {
                    pending.add(append(batch.get(i), labels[i], settings.masks()));
                }
            }
        };
    }

    /**
     * libtorch's intra-op threads: the labeller's setting, else the task's CPUs ({@code spark.task.cpus}, 1 by
     * default). An executor runs {@code executor cores / task.cpus} tasks at once, each on its own Java thread; giving
     * each task libtorch's default (every core) would oversubscribe the cores, which makes OpenMP's spinning threads
     * very slow.
     */
    static int threads(LabelSettings settings, TaskContext task) {
        if (settings.threads() > 0) {
            return settings.threads();
        }
        return task != null ? Math.max(1, task.cpus()) : 0;
    }

    /** {@code row} with the label columns appended. */
    static Row append(Row row, ImageLabels labels, boolean masks) {
        Object[] values = new Object[row.length() + 4];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        int n = row.length();
        if (labels.isError()) {
            values[n + 3] = labels.error();
        } else {
            values[n] = LabelRows.toRows(labels.boxes(), masks);
            values[n + 1] = labels.width();
            values[n + 2] = labels.height();
        }
        return RowFactory.create(values);
    }
}
