package dev.groundingdino.spark.internal;

import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode): one shared, thread-safe model per
 * {@link Key}, loaded by the first task that needs it, used concurrently by every task of the JVM and closed when
 * the JVM ends (a shutdown hook). Loading is counted per key, so that tests can check that a job loads its model
 * once per JVM however many partitions and tasks it runs.
 */
public final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Map<Key, AutoCloseable> MODELS = new ConcurrentHashMap<>();
    private static final Map<Key, AtomicInteger> LOADS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "groundingdino-spark-models"));
    }

    private ExecutorModels() {}

    /**
     * Which model: the same file, config, device and precision share one loaded model.
     *
     * @param kind {@code detector} or {@code segmenter}
     * @param weights the checkpoint as given
     * @param config the config file, or null
     * @param device the device
     * @param precision the precision
     */
    public record Key(String kind, String weights, String config, Device device, Precision precision) {
        /** Checks nulls. */
        public Key {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(weights, "weights");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(precision, "precision");
        }
    }

    /**
     * The model of {@code key}, loaded with {@code loader} if this JVM has none yet. Concurrent callers of the same
     * key wait for one load; a failed load is not cached (the next task tries again).
     */
    @SuppressWarnings("unchecked") // a key's kind determines the model's type
    static <T extends AutoCloseable> T get(Key key, Supplier<T> loader) {
        return (T) MODELS.computeIfAbsent(key, k -> {
            long t0 = System.nanoTime();
            T model = loader.get();
            int n = LOADS.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            LOG.info("loaded {} {} ({}, {}) in this JVM in {} ms (load #{})", k.kind(), k.weights(), k.device(),
                    k.precision(), (System.nanoTime() - t0) / 1_000_000, n);
            return model;
        });
    }

    /** How many times this JVM loaded the model of {@code key} (0 if never). */
    public static int loadCount(Key key) {
        AtomicInteger n = LOADS.get(key);
        return n == null ? 0 : n.get();
    }

    /** The keys of the models loaded now. */
    public static List<Key> loaded() {
        return new ArrayList<>(MODELS.keySet());
    }

    /**
     * Closes and forgets every model of this JVM (the shutdown hook; also for tests). Tasks still running keep a
     * model they hold until they finish: a model's close waits for its calls in progress.
     */
    public static void closeAll() {
        for (Key key : new ArrayList<>(MODELS.keySet())) {
            AutoCloseable model = MODELS.remove(key);
            if (model != null) {
                try {
                    model.close();
                } catch (Exception e) {
                    LOG.warn("closing {} {} failed: {}", key.kind(), key.weights(), e.toString());
                }
            }
        }
    }
}
