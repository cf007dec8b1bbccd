package dev.groundingdino;

/**
 * A value object was given inconsistent data (a negative class id, a mask whose pixel count does not match its size,
 * a malformed COCO RLE string, an image embedding of another segmenter, ...).
 */
public class InvalidValueException extends GroundingDinoException {
    private static final long serialVersionUID = 1L;

    public InvalidValueException(String message) {
        super(message);
    }
}
