package dev.groundingdino.sam;

/** An {@link ImageEmbedding} was used after {@link ImageEmbedding#close()}; embed the image again. */
public class ClosedEmbeddingException extends InvalidEmbeddingException {
    private static final long serialVersionUID = 1L;

    public ClosedEmbeddingException(String message) {
        super(message);
    }
}
