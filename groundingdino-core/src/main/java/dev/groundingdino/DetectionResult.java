package dev.groundingdino;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The detections of one image.
 *
 * @param width width of the input image in pixels (boxes are in this image's pixels)
 * @param height height of the input image in pixels
 * @param caption the caption of the prompt: lowercased, stripped, ending with {@code "."} (for a class list: the
 *     classes joined with {@code ". "} and preprocessed likewise; a list split into {@link #chunks()} ran as one
 *     caption per chunk, these joined with {@code " "})
 * @param classes the class list of a class-list call, empty for a free prompt
 * @param chunks for a class list, how it was run: one chunk over all classes, or for a list over the model's 256
 *     tokens matched with {@link ClassMatching#TOKEN_SPANS}, consecutive chunks each seen whole in one forward pass;
 *     empty for a free prompt
 * @param detections the detections in query order (the reference's order; not sorted by score); for a chunked list,
 *     the chunks' detections one chunk after the other (a query can then appear once per chunk), with
 *     {@link Detection#tokenPositions()} in its chunk's caption
 */
public record DetectionResult(int width, int height, String caption, List<String> classes, List<Chunk> chunks,
        List<Detection> detections) {

    /**
     * Classes {@code [first, end)} of the class list, run as one caption.
     *
     * @param first index of the chunk's first class
     * @param end one past the index of its last class
     */
    public record Chunk(int first, int end) {
        /** Checks that the chunk holds at least one class. */
        public Chunk {
            if (first < 0 || end <= first) {
                throw new InvalidValueException("a chunk holds the classes [first, end) with 0 <= first < end, got ["
                        + first + ", " + end + ")");
            }
        }

        /** Number of classes in the chunk. */
        public int size() {
            return end - first;
        }
    }

    /** Checks the values and copies the lists. */
    public DetectionResult {
        if (width <= 0 || height <= 0) {
            throw new InvalidValueException("image size must be positive, got " + width + "x" + height);
        }
        Objects.requireNonNull(caption, "caption");
        classes = List.copyOf(classes);
        chunks = List.copyOf(chunks);
        detections = List.copyOf(detections);
        int next = 0;
        for (Chunk c : chunks) {
            if (c.first() != next) {
                throw new InvalidValueException("chunks must cover the class list in order without gaps, got "
                        + chunks);
            }
            next = c.end();
        }
        if (next != classes.size()) {
            throw new InvalidValueException("chunks " + chunks + " do not cover the " + classes.size() + " classes"
                    + (classes.isEmpty() ? " (a free prompt has no chunks)" : ""));
        }
    }

    /**
     * A result whose class list (if any) ran as one caption: {@link #chunks()} is one chunk over all classes, or
     * empty for a free prompt.
     */
    public DetectionResult(int width, int height, String caption, List<String> classes, List<Detection> detections) {
        this(width, height, caption, classes, classes.isEmpty() ? List.of() : List.of(new Chunk(0, classes.size())),
                detections);
    }

    /** Number of detections. */
    public int size() {
        return detections.size();
    }

    public boolean isEmpty() {
        return detections.isEmpty();
    }

    /** The distinct labels in order of first appearance. */
    public List<String> labels() {
        List<String> out = new ArrayList<>();
        for (Detection d : detections) {
            if (!out.contains(d.label())) {
                out.add(d.label());
            }
        }
        return out;
    }

    /** The detections sorted by descending score (ties keep query order). */
    public List<Detection> byScore() {
        List<Detection> out = new ArrayList<>(detections);
        out.sort((a, b) -> Double.compare(b.score(), a.score()));
        return out;
    }
}
