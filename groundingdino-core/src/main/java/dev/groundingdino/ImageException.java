package dev.groundingdino;

/** An input image is missing, unreadable, corrupt, empty or otherwise unusable. */
public class ImageException extends GroundingDinoException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
