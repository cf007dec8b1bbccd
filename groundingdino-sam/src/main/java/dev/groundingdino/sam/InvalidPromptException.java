package dev.groundingdino.sam;

/**
 * A prompt given to {@link Segmenter#segment} cannot be used: the box list is null or empty, or holds null. The
 * subclasses name the problems of a single box.
 */
public class InvalidPromptException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidPromptException(String message) {
        super(message);
    }
}
