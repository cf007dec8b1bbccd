package dev.groundingdino.cli.web;

import java.util.Objects;

/**
 * Where the web demo listens and the limits it enforces on every request.
 *
 * @param host the address to bind, {@code 127.0.0.1} by default (only this machine can connect); {@code 0.0.0.0}
 *     opens the demo to the network
 * @param port the TCP port, 0 for any free port
 * @param maxUploadBytes the largest accepted upload in bytes
 * @param maxImageSide the largest accepted image width and height in pixels (checked from the image header, before
 *     the image is decoded)
 * @param maxPromptChars the longest accepted prompt in characters
 * @param workers how many detections run at the same time (they share one model)
 * @param queueCapacity how many further requests may wait for a worker; beyond that the server answers
 *     "busy, try again"
 */
public record WebDemoOptions(String host, int port, long maxUploadBytes, int maxImageSide, int maxPromptChars,
        int workers, int queueCapacity) {
    /** Only this machine can connect. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Gradio's usual port, as in the reference's demo. */
    public static final int DEFAULT_PORT = 7860;
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 20L << 20;
    public static final int DEFAULT_MAX_IMAGE_SIDE = 4096;
    public static final int DEFAULT_MAX_PROMPT_CHARS = 1000;
    public static final int DEFAULT_WORKERS = 2;
    public static final int DEFAULT_QUEUE_CAPACITY = 8;

    /** Checks every value. */
    public WebDemoOptions {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank; give an address to bind such as 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535 (0 = any free port), got " + port);
        }
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("the upload limit must be at least 1 byte, got " + maxUploadBytes);
        }
        if (maxImageSide < 1) {
            throw new IllegalArgumentException("the image side limit must be at least 1 pixel, got " + maxImageSide);
        }
        if (maxPromptChars < 1) {
            throw new IllegalArgumentException("the prompt limit must be at least 1 character, got "
                    + maxPromptChars);
        }
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be in 1..64, got " + workers);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("the queue capacity must not be negative, got " + queueCapacity);
        }
    }

    /** The defaults: 127.0.0.1:7860, 20 MiB uploads, 4096 px sides, 1000-character prompts, 2 workers, 8 waiting. */
    public static WebDemoOptions defaults() {
        return new WebDemoOptions(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_MAX_IMAGE_SIDE,
                DEFAULT_MAX_PROMPT_CHARS, DEFAULT_WORKERS, DEFAULT_QUEUE_CAPACITY);
    }

    /** These options on another address and port. */
    public WebDemoOptions withAddress(String newHost, int newPort) {
        return new WebDemoOptions(newHost, newPort, maxUploadBytes, maxImageSide, maxPromptChars, workers,
                queueCapacity);
    }

    /** These options with other request limits. */
    public WebDemoOptions withLimits(long newMaxUploadBytes, int newMaxImageSide, int newMaxPromptChars) {
        return new WebDemoOptions(host, port, newMaxUploadBytes, newMaxImageSide, newMaxPromptChars, workers,
                queueCapacity);
    }

    /** These options with another worker pool. */
    public WebDemoOptions withWorkers(int newWorkers, int newQueueCapacity) {
        return new WebDemoOptions(host, port, maxUploadBytes, maxImageSide, maxPromptChars, newWorkers,
                newQueueCapacity);
    }
}
