package dev.groundingdino.internal.text;

import dev.groundingdino.GroundingDinoException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Unicode 14.0.0 character properties, the Unicode version of the reference's CPython 3.11 {@code unicodedata}
 * (bundled resource {@code unicode-data-14.0.0.txt}).
 *
 * <p>The tokenizer must classify characters exactly like the reference, independently of the Unicode version of the
 * running JVM (Java 17 knows Unicode 13, later JVMs know 15 and newer): a character assigned in a newer version is
 * unassigned ({@code Cn}) for the reference and therefore dropped as a "control" character by the BERT clean-up.
 * The table holds, for every code point, the general category class the tokenizer needs ({@code C*}, {@code Zs},
 * {@code P*}, {@code Mn}, other), the {@code Cased} and {@code Case_Ignorable} properties (for the final-sigma rule of
 * Python's {@code str.lower()}) and Python's lowercase mapping. Loaded once, immutable, thread-safe.
 */
final class UnicodeTable {
    static final String RESOURCE = "unicode-data-14.0.0.txt";

    static final byte OTHER = 0;
    static final byte CONTROL = 1;
    static final byte SPACE_SEPARATOR = 2;
    static final byte PUNCTUATION = 3;
    static final byte NON_SPACING_MARK = 4;

    private static final int CODE_POINTS = Character.MAX_CODE_POINT + 1;

    /** Start code points of the class runs (ascending) and the class of each run. */
    private final int[] classStarts;
    private final byte[] classes;
    /** Sorted, disjoint inclusive ranges as [first0, last0, first1, last1, ...]. */
    private final int[] cased;
    private final int[] caseIgnorable;
    /** Lowercase rules: [first, last, step, delta] per rule, ascending by first; multi-code-point mappings apart. */
    private final int[] lowerRules;
    private final int[] multiLowerKeys;
    private final int[][] multiLowerValues;

    private UnicodeTable(int[] classStarts, byte[] classes, int[] cased, int[] caseIgnorable, int[] lowerRules,
            int[] multiLowerKeys, int[][] multiLowerValues) {
        this.classStarts = classStarts;
        this.classes = classes;
        this.cased = cased;
        this.caseIgnorable = caseIgnorable;
        this.lowerRules = lowerRules;
        this.multiLowerKeys = multiLowerKeys;
        this.multiLowerValues = multiLowerValues;
    }

    private static final class Holder {
        static final UnicodeTable INSTANCE = load();
    }

    static UnicodeTable get() {
        return Holder.INSTANCE;
    }

    /** The class of {@code cp}: {@link #OTHER}, {@link #CONTROL}, {@link #SPACE_SEPARATOR}, ... */
    byte classOf(int cp) {
        if (cp < 0 || cp >= CODE_POINTS) {
            return CONTROL;
        }
        int i = Arrays.binarySearch(classStarts, cp);
        return classes[i >= 0 ? i : -i - 2];
    }

    boolean isCased(int cp) {
        return inRanges(cased, cp);
    }

    boolean isCaseIgnorable(int cp) {
        return inRanges(caseIgnorable, cp);
    }

    /**
     * Appends Python's full lowercase mapping of one code point ({@code _PyUnicode_ToLowerFull}); the context-dependent
     * capital sigma is handled by {@link PythonStrings#lower(String)}.
     */
    void appendLower(int cp, StringBuilder out) {
        int m = Arrays.binarySearch(multiLowerKeys, cp);
        if (m >= 0) {
            for (int c : multiLowerValues[m]) {
                out.appendCodePoint(c);
            }
            return;
        }
        int lo = 0;
        int hi = lowerRules.length / 4 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int first = lowerRules[4 * mid];
            int last = lowerRules[4 * mid + 1];
            if (cp < first) {
                hi = mid - 1;
            } else if (cp > last) {
                lo = mid + 1;
            } else {
                int step = lowerRules[4 * mid + 2];
                out.appendCodePoint((cp - first) % step == 0 ? cp + lowerRules[4 * mid + 3] : cp);
                return;
            }
        }
        out.appendCodePoint(cp);
    }

    private static boolean inRanges(int[] ranges, int cp) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private static UnicodeTable load() {
        InputStream in = UnicodeTable.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new GroundingDinoException("bundled resource " + UnicodeTable.class.getPackageName() + "/" + RESOURCE
                    + " is missing from the class path; the groundingdino-core jar is incomplete, rebuild or "
                    + "re-download it");
        }
        IntList classStarts = new IntList();
        StringBuilder classes = new StringBuilder();
        IntList cased = new IntList();
        IntList ignorable = new IntList();
        IntList lowerRules = new IntList();
        IntList multiKeys = new IntList();
        List<int[]> multiValues = new ArrayList<>();
        String section = null;
        boolean ended = false;
        int lineNo = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("@")) {
                    section = line.split(" ", 2)[0];
                    ended = section.equals("@end");
                    continue;
                }
                String[] f = line.split(" ");
                switch (section == null ? "" : section) {
                    case "@class" -> {
                        classStarts.add(Integer.parseInt(f[0], 16));
                        classes.append(f[1]);
                    }
                    case "@cased" -> cased.add(Integer.parseInt(f[0], 16), Integer.parseInt(f[1], 16));
                    case "@case-ignorable" -> ignorable.add(Integer.parseInt(f[0], 16), Integer.parseInt(f[1], 16));
                    case "@lower" -> {
                        if (f[1].equals("=")) {
                            multiKeys.add(Integer.parseInt(f[0], 16));
                            int[] mapped = new int[f.length - 2];
                            for (int i = 0; i < mapped.length; i++) {
                                mapped[i] = Integer.parseInt(f[i + 2], 16);
                            }
                            multiValues.add(mapped);
                        } else {
                            lowerRules.add(Integer.parseInt(f[0], 16), Integer.parseInt(f[1], 16));
                            lowerRules.add(Integer.parseInt(f[2]), Integer.parseInt(f[3]));
                        }
                    }
                    default -> throw new IllegalStateException("data line outside a known section");
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new GroundingDinoException("bundled resource " + RESOURCE + " is unreadable or corrupt (line " + lineNo
                    + "): " + e.getMessage() + "; the groundingdino-core jar is damaged, rebuild or re-download it", e);
        }
        if (!ended || classStarts.size() == 0 || classStarts.get(0) != 0 || cased.size() == 0
                || ignorable.size() == 0 || lowerRules.size() == 0) {
            throw new GroundingDinoException("bundled resource " + RESOURCE + " is truncated; the groundingdino-core jar "
                    + "is damaged, rebuild or re-download it");
        }
        byte[] classBytes = new byte[classes.length()];
        for (int i = 0; i < classBytes.length; i++) {
            classBytes[i] = switch (classes.charAt(i)) {
                case 'C' -> CONTROL;
                case 'Z' -> SPACE_SEPARATOR;
                case 'P' -> PUNCTUATION;
                case 'M' -> NON_SPACING_MARK;
                case 'O' -> OTHER;
                default -> throw new GroundingDinoException("bundled resource " + RESOURCE + " has an unknown class '"
                        + classes.charAt(i) + "'; the groundingdino-core jar is damaged, rebuild or re-download it");
            };
        }
        return new UnicodeTable(classStarts.toArray(), classBytes, cased.toArray(), ignorable.toArray(),
                lowerRules.toArray(), multiKeys.toArray(), multiValues.toArray(new int[0][]));
    }

    /** Minimal growable int array for loading. */
    private static final class IntList {
        private int[] data = new int[256];
        private int size;

        void add(int... values) {
            for (int v : values) {
                if (size == data.length) {
                    data = Arrays.copyOf(data, size * 2);
                }
                data[size++] = v;
            }
        }

        int get(int i) {
            return data[i];
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
