package dev.groundingdino;

/**
 * A text prompt or class list cannot be used: it is null, empty or blank, names no object (only separators such as
 * {@code "."}), or a class name is blank or contains a phrase separator.
 */
public class PromptException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public PromptException(String message) {
        super(message);
    }
}
