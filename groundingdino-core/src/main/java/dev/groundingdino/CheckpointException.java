package dev.groundingdino;

/**
 * A checkpoint file cannot be used: it is missing, truncated, corrupt, of an unknown format, of the wrong model,
 * or its tensors do not match the model that should load it.
 */
public class CheckpointException extends GroundingDinoException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
