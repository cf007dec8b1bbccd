package dev.groundingdino.cli.web;

/**
 * A request the web demo answers with an error status and a message for the page (never a stack trace).
 */
final class WebProblem extends RuntimeException {
    private final int status;

    WebProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status, e.g. 400 for a bad upload or 503 when the server is busy. */
    int status() {
        return status;
    }
}
