package dev.groundingdino;

/** A box, text or IoU threshold is not a number in [0, 1]. */
public class ThresholdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ThresholdException(String message) {
        super(message);
    }
}
