package dev.groundingdino;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to detect: a free text prompt ({@code "cat . dog"}: phrases separated by {@code "."}, like the reference's
 * {@code predict(caption=...)}), or a class list ({@code List.of("cat", "dog")}, like the reference's
 * {@code Model.predict_with_classes}: the caption is {@code ". ".join(classes)} and each detection gets the index
 * of its class). Validated when a detector uses it ({@link PromptException}).
 */
public final class Prompt {
    private final String text;
    private final List<String> classes;

    private Prompt(String text, List<String> classes) {
        this.text = text;
        this.classes = classes;
    }

    /** A free text prompt, e.g. {@code "person . car"} or {@code "a dog with a red collar"}. */
    public static Prompt text(String prompt) {
        return new Prompt(prompt, null);
    }

    /**
     * A class list; each detection's {@link Detection#classId()} is the index of its class in this list (or -1), as
     * the detector's {@link ClassMatching} says.
     *
     * @throws PromptException if the list is null or holds null
     */
    public static Prompt classes(List<String> classes) {
        if (classes == null) {
            throw new PromptException("the class list is null; give the class names to find, e.g. "
                    + "Prompt.classes(\"cat\", \"dog\")");
        }
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i) == null) {
                throw new PromptException("class " + i + " of the class list is null; every class needs a name");
            }
        }
        return new Prompt(null, List.copyOf(classes));
    }

    /** {@link #classes(List)} of the given names. */
    public static Prompt classes(String... classes) {
        return classes(classes == null ? null : java.util.Arrays.asList(classes));
    }

    /**
     * A class list read from a UTF-8 text file, one class per line (LVIS's or Objects365's category names, say):
     * each line stripped, blank lines and lines starting with {@code #} skipped. A list of any length works with
     * {@link ClassMatching#TOKEN_SPANS}. A UTF-8 byte order mark is ignored.
     *
     * @throws PromptException if the file does not exist, cannot be read, is not UTF-8 text, or holds no class
     */
    public static Prompt classesFile(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new PromptException("the class list file " + file + " does not exist; give a text file with one "
                    + "class per line");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new PromptException("the class list file " + file + " is not UTF-8 text; save it as UTF-8 with one "
                    + "class per line", e);
        } catch (IOException e) {
            throw new PromptException("the class list file " + file + " cannot be read: " + e.getMessage(), e);
        }
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 0 && lines.get(0).startsWith("\uFEFF") ? lines.get(0).substring(1) : lines.get(i);
            String c = line.strip(); // a byte order mark (Windows editors) is not part of the first class
            if (!c.isEmpty() && !c.startsWith("#")) {
                classes.add(c);
            }
        }
        if (classes.isEmpty()) {
            throw new PromptException("the class list file " + file + " holds no class; write one class name per line");
        }
        return new Prompt(null, List.copyOf(classes));
    }

    /** Whether this is a class list. */
    public boolean isClassList() {
        return classes != null;
    }

    /** The text of a free prompt; null for a class list. */
    public String text() {
        return text;
    }

    /** The classes of a class list; empty for a free prompt. */
    public List<String> classes() {
        return classes == null ? List.of() : classes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prompt p && Objects.equals(p.text, text) && Objects.equals(p.classes, classes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, classes);
    }

    @Override
    public String toString() {
        return classes != null ? "Prompt.classes" + classes : "Prompt.text(\"" + text + "\")";
    }
}
