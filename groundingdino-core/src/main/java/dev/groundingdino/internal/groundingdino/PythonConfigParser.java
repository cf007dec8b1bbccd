package dev.groundingdino.internal.groundingdino;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader for the Python config files of GroundingDINO ({@code groundingdino/config/*.py}, loaded by the
 * reference's {@code SLConfig.fromfile}): top-level {@code name = value} assignments whose values are literals —
 * ints, floats, strings (single, double or triple quoted), {@code True}/{@code False}/{@code None}, lists, tuples,
 * dicts {@code {k: v}} and {@code dict(k=v, ...)} — plus comments, blank lines and bare string statements (which
 * are ignored). Nothing is executed; anything else (imports, expressions with operators, function calls other than
 * {@code dict}) is rejected with the line number.
 *
 * <p>Values map to Java as {@code Long}, {@code Double}, {@code String}, {@code Boolean}, {@code null},
 * {@code List<Object>} and {@code Map<String, Object>}; this intermediate form only feeds
 * {@link GroundingDinoConfigReader}.
 */
final class PythonConfigParser {
    private final String src;
    private final String origin;
    private int pos;
    private int depth; // bracket nesting: newlines inside brackets are whitespace

    private PythonConfigParser(String src, String origin) {
        this.src = src;
        this.origin = origin;
    }

    /**
     * Parses the assignments of a config file.
     *
     * @param source the file's text
     * @param origin the file name, for messages
     * @return name to value, in file order (later assignments replace earlier ones, as in Python)
     * @throws IllegalArgumentException on anything that is not a literal assignment
     */
    static Map<String, Object> parse(String source, String origin) {
        return new PythonConfigParser(source, origin).file();
    }

    private Map<String, Object> file() {
        Map<String, Object> out = new LinkedHashMap<>();
        while (true) {
            skipBlankLines();
            if (pos >= src.length()) {
                return Collections.unmodifiableMap(out);
            }
            int start = pos;
            if (peekString()) {
                value(); // a bare string statement (docstring / commented-out block)
            } else {
                String name = identifier();
                if (name.isEmpty()) {
                    throw error("expected `name = value`");
                }
                skipInlineSpace();
                if (!consume('=') || (pos < src.length() && src.charAt(pos) == '=')) {
                    pos = start;
                    throw error("expected `=` after `" + name + "` (only plain assignments of literals are supported)");
                }
                out.remove(name);
                out.put(name, value());
            }
            endOfStatement();
        }
    }

    private Object value() {
        skipSpace();
        if (pos >= src.length()) {
            throw error("expected a value, found the end of the file");
        }
        char c = src.charAt(pos);
        if (peekString()) {
            StringBuilder sb = new StringBuilder(string());
            // implicit concatenation of adjacent literals: "a" "b"
            while (true) {
                int save = pos;
                skipSpace();
                if (peekString()) {
                    sb.append(string());
                } else {
                    pos = save;
                    break;
                }
            }
            return sb.toString();
        }
        if (c == '[') {
            pos++;
            return sequence(']');
        }
        if (c == '(') {
            pos++;
            return sequence(')');
        }
        if (c == '{') {
            pos++;
            return braceDict();
        }
        if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) {
            return number();
        }
        String word = identifier();
        switch (word) {
            case "True":
                return Boolean.TRUE;
            case "False":
                return Boolean.FALSE;
            case "None":
                return null;
            case "dict":
                skipSpace();
                if (!consume('(')) {
                    throw error("expected `(` after dict");
                }
                depth++;
                return callDict();
            default:
                throw error(word.isEmpty() ? "unexpected character '" + c + "'"
                        : "`" + word + "` is not a literal (only numbers, strings, True/False/None, lists, tuples "
                                + "and dicts are supported)");
        }
    }

    private List<Object> sequence(char close) {
        depth++;
        List<Object> items = new ArrayList<>();
        while (true) {
            skipSpace();
            if (consume(close)) {
                depth--;
                return Collections.unmodifiableList(items);
            }
            items.add(value());
            skipSpace();
            if (consume(',')) {
                continue;
            }
            if (consume(close)) {
                depth--;
                return Collections.unmodifiableList(items);
            }
            throw error("expected `,` or `" + close + "`");
        }
    }

    private Map<String, Object> braceDict() {
        depth++;
        Map<String, Object> out = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (consume('}')) {
                depth--;
                return Collections.unmodifiableMap(out);
            }
            Object key = value();
            if (!(key instanceof String) && !(key instanceof Long)) {
                throw error("dict keys must be strings or ints");
            }
            skipSpace();
            if (!consume(':')) {
                throw error("expected `:` in dict");
            }
            out.put(String.valueOf(key), value());
            skipSpace();
            if (consume(',')) {
                continue;
            }
            if (consume('}')) {
                depth--;
                return Collections.unmodifiableMap(out);
            }
            throw error("expected `,` or `}`");
        }
    }

    private Map<String, Object> callDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (consume(')')) {
                depth--;
                return Collections.unmodifiableMap(out);
            }
            String key = identifier();
            skipSpace();
            if (key.isEmpty() || !consume('=')) {
                throw error("dict(...) takes keyword arguments `name=value`");
            }
            out.put(key, value());
            skipSpace();
            if (consume(',')) {
                continue;
            }
            if (consume(')')) {
                depth--;
                return Collections.unmodifiableMap(out);
            }
            throw error("expected `,` or `)`");
        }
    }

    private Object number() {
        int start = pos;
        if (src.charAt(pos) == '-' || src.charAt(pos) == '+') {
            pos++;
        }
        boolean isFloat = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (Character.isDigit(c) || c == '_') {
                pos++;
            } else if (c == '.') {
                isFloat = true;
                pos++;
            } else if ((c == 'e' || c == 'E') && pos + 1 < src.length()) {
                isFloat = true;
                pos++;
                if (src.charAt(pos) == '-' || src.charAt(pos) == '+') {
                    pos++;
                }
            } else {
                break;
            }
        }
        String text = src.substring(start, pos).replace("_", "");
        try {
            if (isFloat) {
                return Double.parseDouble(text);
            }
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("bad number `" + text + "`");
        }
    }

    private boolean peekString() {
        int p = pos;
        while (p < src.length() && "rRuU".indexOf(src.charAt(p)) >= 0 && p - pos < 1) {
            p++;
        }
        return p < src.length() && (src.charAt(p) == '\'' || src.charAt(p) == '"');
    }

    private String string() {
        boolean raw = false;
        if ("rRuU".indexOf(src.charAt(pos)) >= 0) {
            raw = src.charAt(pos) == 'r' || src.charAt(pos) == 'R';
            pos++;
        }
        char q = src.charAt(pos);
        boolean triple = src.startsWith(String.valueOf(q).repeat(3), pos);
        pos += triple ? 3 : 1;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= src.length()) {
                throw error("unterminated string");
            }
            char c = src.charAt(pos);
            if (triple ? src.startsWith(String.valueOf(q).repeat(3), pos) : c == q) {
                pos += triple ? 3 : 1;
                return sb.toString();
            }
            if (!triple && c == '\n') {
                throw error("unterminated string");
            }
            if (c == '\\' && !raw && pos + 1 < src.length()) {
                char n = src.charAt(pos + 1);
                pos += 2;
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '\\' -> sb.append('\\');
                    case '\'' -> sb.append('\'');
                    case '"' -> sb.append('"');
                    case '\n' -> { } // line continuation inside the literal
                    default -> sb.append('\\').append(n);
                }
                continue;
            }
            sb.append(c);
            pos++;
        }
    }

    private String identifier() {
        int start = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            if (pos == start && Character.isDigit(src.charAt(pos))) {
                break;
            }
            pos++;
        }
        return src.substring(start, pos);
    }

    private boolean consume(char c) {
        if (pos < src.length() && src.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** Spaces, tabs, comments, backslash continuations; newlines too inside brackets. */
    private void skipSpace() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == '\\' && pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
                pos += 2;
            } else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '\n' && depth > 0) {
                pos++;
            } else {
                return;
            }
        }
    }

    private void skipInlineSpace() {
        int saved = depth;
        depth = 0;
        skipSpace();
        depth = saved;
    }

    private void skipBlankLines() {
        while (true) {
            skipInlineSpace();
            if (pos < src.length() && (src.charAt(pos) == '\n' || src.charAt(pos) == ';')) {
                pos++;
            } else {
                return;
            }
        }
    }

    private void endOfStatement() {
        skipInlineSpace();
        if (pos >= src.length()) {
            return;
        }
        char c = src.charAt(pos);
        if (c == '\n' || c == ';') {
            pos++;
            return;
        }
        throw error("unexpected `" + c + "` after the value (only literal values are supported)");
    }

    private IllegalArgumentException error(String message) {
        int line = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        return new IllegalArgumentException(origin + ", line " + line + ": " + message
                + ". GroundingDINO configs are plain `name = literal` files like GroundingDINO_SwinT_OGC.py.");
    }
}
