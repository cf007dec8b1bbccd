package dev.groundingdino;

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
