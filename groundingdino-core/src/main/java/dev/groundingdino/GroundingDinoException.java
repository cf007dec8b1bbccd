package dev.groundingdino;

/**
 * Base class of every exception this library throws on purpose. All of them are unchecked and carry a message
 * that says what went wrong and what to do next.
 */
public class GroundingDinoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GroundingDinoException(String message) {
        super(message);
    }

    public GroundingDinoException(String message, Throwable cause) {
        super(message, cause);
    }
}
