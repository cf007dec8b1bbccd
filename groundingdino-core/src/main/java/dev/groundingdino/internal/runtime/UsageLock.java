package dev.groundingdino.internal.runtime;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The open/closed state of a model handle ({@code Detector}, {@code Segmenter}): any number of calls run at once
 * while it is open, {@link #close} waits for the calls in progress and releases the native resources exactly once,
 * and every later call fails with an {@link IllegalStateException} that says what to do.
 */
public final class UsageLock {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Supplier<String> closedMessage;
    private boolean closed;

    /** @param closedMessage the message of the exception thrown by calls after {@link #close} */
    public UsageLock(Supplier<String> closedMessage) {
        this.closedMessage = closedMessage;
    }

    /**
     * Runs {@code body} while the handle is open (a concurrent {@link #close} waits for it).
     *
     * @throws IllegalStateException if the handle is closed
     */
    public <T> T whileOpen(Supplier<T> body) {
        lock.readLock().lock();
        try {
            checkOpenLocked();
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Fails fast if the handle is closed (for work that can start before it needs the model).
     *
     * @throws IllegalStateException if the handle is closed
     */
    public void checkOpen() {
        whileOpen(() -> null);
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Marks the handle closed and runs {@code release} once, after the calls in progress; idempotent. */
    public void close(Runnable release) {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                release.run();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkOpenLocked() {
        if (closed) {
            throw new IllegalStateException(closedMessage.get());
        }
    }
}
