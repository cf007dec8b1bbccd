package dev.groundingdino;

/**
 * A prompt cannot be used. For detection: the text prompt or class list is null, empty or blank, names no object
 * (only separators such as {@code "."}), or a class name is blank or contains a phrase separator. For segmentation:
 * no box or point is given, a box is inverted, not finite or outside the image, or a batch mixes prompts of
 * different shapes. Also a class list file that cannot be read ({@link Prompt#classesFile}), and a single class
 * longer than the model's 256 tokens.
 */
public class PromptException extends GroundingDinoException {
    private static final long serialVersionUID = 1L;

    public PromptException(String message) {
        super(message);
    }

    public PromptException(String message, Throwable cause) {
        super(message, cause);
    }
}
