package dev.groundingdino.internal.text;

import java.util.ArrayList;
import java.util.List;

/**
 * CPython 3.11 {@code str} semantics the reference tokenizer relies on: {@code lower()}, {@code strip()},
 * {@code split()} and {@code isspace()}, all over code points (a supplementary character is one character, as in
 * Python), with the Unicode 14.0.0 data of {@link UnicodeTable}.
 *
 * <p>They differ from the Java look-alikes: {@code String.toLowerCase(Locale.ROOT)} decides the final sigma by word
 * boundaries instead of {@code Case_Ignorable} runs ("A1\u03a3" lowers to "a1\u03c3" in Python, "a1\u03c2" in Java),
 * and {@code String.strip()}/{@code Character.isWhitespace} disagree with {@code str.isspace()} on U+0085, U+00A0,
 * U+2007 and U+202F ({@code String.trim()} on every other control character below U+0020).
 */
final class PythonStrings {
    private static final int CAPITAL_SIGMA = 0x03A3;
    private static final int SMALL_SIGMA = 0x03C3;
    private static final int SMALL_FINAL_SIGMA = 0x03C2;

    private PythonStrings() {}

    /** {@code str.isspace()} of one code point (bidirectional class WS, B or S, or category Zs). */
    static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** {@code str.lower()}: full lowercase mappings, capital sigma by the {@code Final_Sigma} context. */
    static String lower(String s) {
        UnicodeTable table = UnicodeTable.get();
        int[] cps = s.codePoints().toArray();
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == CAPITAL_SIGMA) {
                out.appendCodePoint(isFinalSigma(table, cps, i) ? SMALL_FINAL_SIGMA : SMALL_SIGMA);
            } else {
                table.appendLower(c, out);
            }
        }
        return out.toString();
    }

    /** {@code str.lower()} of a string holding the single code point {@code cp}. */
    static void appendLower(int cp, StringBuilder out) {
        if (cp == CAPITAL_SIGMA) {
            out.appendCodePoint(SMALL_SIGMA); // nothing precedes it, so never final
        } else {
            UnicodeTable.get().appendLower(cp, out);
        }
    }

    /** CPython's {@code handle_capital_sigma}: cased, then case-ignorables, sigma, and no case-ignorables + cased. */
    private static boolean isFinalSigma(UnicodeTable table, int[] cps, int i) {
        int j = i - 1;
        while (j >= 0 && table.isCaseIgnorable(cps[j])) {
            j--;
        }
        if (j < 0 || !table.isCased(cps[j])) {
            return false;
        }
        j = i + 1;
        while (j < cps.length && table.isCaseIgnorable(cps[j])) {
            j++;
        }
        return j == cps.length || !table.isCased(cps[j]);
    }

    /** {@code str.strip()} without arguments. */
    static String strip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end) {
            int cp = s.codePointAt(begin);
            if (!isSpace(cp)) {
                break;
            }
            begin += Character.charCount(cp);
        }
        while (end > begin) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(begin, end);
    }

    /** {@code str.split()} without arguments: runs of {@code isspace} characters separate, no empty pieces. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out;
    }
}
