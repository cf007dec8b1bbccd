package dev.groundingdino.spark.internal;

import dev.groundingdino.ClassMatching;
import dev.groundingdino.Device;
import dev.groundingdino.NmsMode;
import dev.groundingdino.Precision;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Everything an executor needs to label images, as the driver resolved it from the labeller's params: shipped with
 * each task (hence serializable), validated once on the driver.
 *
 * @param weights the GroundingDINO checkpoint as given ({@code demo} for the random-weight demo model)
 * @param config the model config file, or null
 * @param device where the model runs
 * @param precision weight and activation precision
 * @param threads libtorch intra-op CPU threads per executor JVM, 0 for the tasks' CPUs ({@code spark.task.cpus})
 * @param prompt the free prompt, or null when {@code classes} is set
 * @param classes the class list, or null when {@code prompt} is set
 * @param classMatching how class lists are matched
 * @param boxThreshold box threshold
 * @param textThreshold text threshold
 * @param removeCombined the reference's {@code remove_combined}
 * @param nmsMode non-maximum suppression mode
 * @param nmsIou non-maximum suppression IoU threshold
 * @param batchSize images per forward pass
 * @param samWeights a Segment Anything checkpoint for Grounded-SAM masks, or null for boxes only
 */
public record LabelSettings(String weights, String config, Device device, Precision precision, int threads,
        String prompt, List<String> classes, ClassMatching classMatching, double boxThreshold, double textThreshold,
        boolean removeCombined, NmsMode nmsMode, double nmsIou, int batchSize, String samWeights)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Checks the values that cannot be checked by the library before the first image. */
    public LabelSettings {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(classMatching, "classMatching");
        Objects.requireNonNull(nmsMode, "nmsMode");
        if ((prompt == null) == (classes == null)) {
            throw new IllegalArgumentException("set exactly one of a prompt and a class list");
        }
        classes = classes == null ? null : List.copyOf(classes);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = spark.task.cpus), got " + threads);
        }
    }

    /** Whether Grounded-SAM masks are computed. */
    public boolean masks() {
        return samWeights != null;
    }

    /** The key of the shared detector these settings use. */
    public ExecutorModels.Key detectorKey() {
        return new ExecutorModels.Key("detector", weights, config, device, precision);
    }

    /** The key of the shared segmenter, or null without masks. */
    public ExecutorModels.Key segmenterKey() {
        // SAM runs on the CPU; BF16 when the detector runs in BF16 (as `gdino segment` chooses)
        return samWeights == null ? null : new ExecutorModels.Key("segmenter", samWeights, null, Device.CPU,
                precision == Precision.BF16 ? Precision.BF16 : Precision.FP32);
    }
}
