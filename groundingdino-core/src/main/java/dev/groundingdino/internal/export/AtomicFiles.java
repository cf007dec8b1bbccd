package dev.groundingdino.internal.export;

import dev.groundingdino.GroundingDinoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes a file through a temporary sibling moved into place, creating missing parent folders. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Writes {@code bytes} to {@code file}.
     *
     * @throws GroundingDinoException if the file cannot be written (the message names it)
     */
    public static void write(Path file, byte[] bytes) {
        try {
            writeOrThrow(file, bytes);
        } catch (IOException e) {
            throw new GroundingDinoException("Could not write " + file.toAbsolutePath() + ": " + e + ". Check that "
                    + "the folder exists or can be created and is writable.", e);
        }
    }

    /** Writes {@code bytes} to {@code file}, for callers that report the failure in their own terms. */
    public static void writeOrThrow(Path file, byte[] bytes) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        // not Files.createTempFile: its owner-only permissions would stay on the result
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + "." + System.nanoTime() + ".tmp");
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
