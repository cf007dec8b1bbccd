package dev.groundingdino.internal.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory as Linux reports it ({@code /proc/self/status}): the resident set ({@code VmRSS}), which
 * includes libtorch's native allocations the JVM does not see, and its peak ({@code VmHWM}). For leak tests, soaks and
 * profiles.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** The resident set size in bytes ({@code VmRSS}). */
    public static long rssBytes() {
        return field("VmRSS") * 1024;
    }

    /** The peak resident set size in bytes ({@code VmHWM}). */
    public static long peakRssBytes() {
        return field("VmHWM") * 1024;
    }

    /** A {@code kB} field of {@code /proc/self/status}, e.g. {@code VmRSS}. */
    public static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name + ":")) {
                    return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS + " (memory figures need Linux)", e);
        }
        throw new IllegalStateException("no " + name + " in " + STATUS);
    }
}
