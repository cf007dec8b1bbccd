package dev.groundingdino.sam;

/**
 * An {@link ImageEmbedding} cannot be used with this call: it was made by another {@link Segmenter}, or (subclass
 * {@link ClosedEmbeddingException}) it was closed.
 */
public class InvalidEmbeddingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidEmbeddingException(String message) {
        super(message);
    }
}
