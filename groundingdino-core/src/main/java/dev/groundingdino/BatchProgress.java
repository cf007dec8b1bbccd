package dev.groundingdino;

/**
 * Receives progress reports of a batch call ({@link Detector#detect(java.util.List, String, BatchProgress)}), on the
 * calling thread. A batch decodes and preprocesses every image, runs ONE batched forward pass, then post-processes
 * every image; each stage reports {@code (done, total)} as it advances.
 */
@FunctionalInterface
public interface BatchProgress {
    /** The stages of a batch call, in order. */
    enum Stage {
        /** Decoding and resizing the images ({@code total} = number of images). */
        PREPROCESS,
        /** The model's forward pass over the whole batch ({@code total} = 1). */
        FORWARD,
        /** Thresholds and phrases per image ({@code total} = number of images). */
        POSTPROCESS
    }

    /** Ignores every report. */
    BatchProgress NONE = (stage, done, total) -> { };

    /**
     * Called after each step.
     *
     * @param stage the stage that advanced
     * @param done steps of that stage finished so far (1..total)
     * @param total steps of that stage
     */
    void update(Stage stage, int done, int total);
}
