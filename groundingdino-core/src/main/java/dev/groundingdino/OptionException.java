package dev.groundingdino;

/**
 * An option cannot be used: a threshold outside [0, 1], a contradicting combination (FP16 on the CPU, a config for
 * the demo model), a negative thread count or batch size, an unreadable config file. The message names the builder
 * or {@code with...} method to change.
 */
public class OptionException extends GroundingDinoException {
    private static final long serialVersionUID = 1L;

    public OptionException(String message) {
        super(message);
    }

    public OptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
