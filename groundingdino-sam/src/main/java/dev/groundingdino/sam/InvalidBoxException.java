package dev.groundingdino.sam;

/** A box prompt is unusable: a coordinate is NaN or infinite (subclasses: inverted, outside the image). */
public class InvalidBoxException extends InvalidPromptException {
    private static final long serialVersionUID = 1L;

    public InvalidBoxException(String message) {
        super(message);
    }
}
