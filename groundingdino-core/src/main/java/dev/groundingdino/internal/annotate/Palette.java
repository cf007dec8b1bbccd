package dev.groundingdino.internal.annotate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Distinct colours for labels (boxes, masks): 20 hand-picked, mutually distinguishable colours, then further colours
 * by golden-ratio hue steps. Colour {@code i} is the same in every run, so one label keeps its colour across images
 * when labels are assigned in the same order.
 *
 * <pre>{@code
 * Map<String, Rgb> colours = Palette.DEFAULT.assign(List.of("cat", "dog")); // cat -> colour 0, dog -> colour 1
 * Rgb third = Palette.DEFAULT.color(2);
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class Palette {
    private static final int[] BASE = {
        0xE6194B, 0x3CB44B, 0x4363D8, 0xF58231, 0x911EB4, 0x42D4F4, 0xF032E6, 0xBFEF45, 0xFFE119, 0x469990,
        0xDCBEFF, 0x9A6324, 0x800000, 0xAAFFC3, 0x808000, 0x000075, 0xFABED4, 0xFFD8B1, 0xA9A9A9, 0x00B5AD,
    };

    /** The project's default palette. */
    public static final Palette DEFAULT = new Palette();

    private Palette() {}

    /**
     * Colour number {@code index} (0, 1, 2, ...).
     *
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public Rgb color(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("colour index must be >= 0, got " + index);
        }
        if (index < BASE.length) {
            return Rgb.of(BASE[index]);
        }
        double hue = ((index - BASE.length) * 0.618033988749895 + 0.11) % 1.0;
        return hsv(hue, 0.75, 0.95);
    }

    /**
     * One colour per distinct label, in order of first appearance: the first label gets {@link #color(int) color(0)},
     * the next new one {@code color(1)}, ...
     */
    public Map<String, Rgb> assign(Collection<String> labels) {
        Objects.requireNonNull(labels, "labels");
        Map<String, Rgb> out = new LinkedHashMap<>();
        for (String label : labels) {
            if (!out.containsKey(label)) {
                out.put(label, color(out.size()));
            }
        }
        return out;
    }

    /** The first {@code n} colours. */
    public List<Rgb> colors(int n) {
        List<Rgb> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(color(i));
        }
        return out;
    }

    private static Rgb hsv(double h, double s, double v) {
        double c = v * s;
        double hp = h * 6;
        double x = c * (1 - Math.abs(hp % 2 - 1));
        double r;
        double g;
        double b;
        switch ((int) hp) {
            case 0 -> { r = c; g = x; b = 0; }
            case 1 -> { r = x; g = c; b = 0; }
            case 2 -> { r = 0; g = c; b = x; }
            case 3 -> { r = 0; g = x; b = c; }
            case 4 -> { r = x; g = 0; b = c; }
            default -> { r = c; g = 0; b = x; }
        }
        double m = v - c;
        return new Rgb((int) Math.round((r + m) * 255), (int) Math.round((g + m) * 255), (int) Math.round((b + m) * 255));
    }
}
