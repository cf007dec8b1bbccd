package dev.groundingdino.cli;

/**
 * A command line that cannot work, found before any model is loaded: the message names the flags and says what to
 * give instead. Exit code 2, like picocli's own usage errors.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
