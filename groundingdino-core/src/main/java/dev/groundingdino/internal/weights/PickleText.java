package dev.groundingdino.internal.weights;

import java.math.BigInteger;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Short, bounded, cycle-safe text forms of unpickled values, for error messages and {@code inspect} output
 * (the default {@code toString} of nested collections can recurse forever on a cyclic pickle).
 */
public final class PickleText {
    private static final int MAX_ITEMS = 8;
    private static final int MAX_DEPTH = 3;
    private static final int MAX_STRING = 80;

    private PickleText() {}

    /** A one-line description of {@code value}, at most a few nesting levels deep. */
    public static String shortRepr(Object value) {
        StringBuilder sb = new StringBuilder();
        append(sb, value, 0);
        return sb.toString();
    }

    /** The Python-ish type name of an unpickled value, e.g. {@code str}, {@code OrderedDict}, {@code argparse.Namespace}. */
    public static String typeName(Object value) {
        if (value == null) {
            return "None";
        } else if (value instanceof String) {
            return "str";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Long || value instanceof BigInteger) {
            return "int";
        } else if (value instanceof Double) {
            return "float";
        } else if (value instanceof byte[]) {
            return "bytes";
        } else if (value instanceof PyTuple) {
            return "tuple";
        } else if (value instanceof PyOrderedDict) {
            return "OrderedDict";
        } else if (value instanceof Map) {
            return "dict";
        } else if (value instanceof java.util.List) {
            return "list";
        } else if (value instanceof java.util.Set) {
            return "set";
        } else if (value instanceof PickledTensor) {
            return "Tensor";
        } else if (value instanceof PickledStorage) {
            return "Storage";
        } else if (value instanceof PickledObject o) {
            return o.qualifiedName();
        } else if (value instanceof PyGlobal g) {
            return "global " + g.qualifiedName();
        } else if (value instanceof DType) {
            return "torch.dtype";
        }
        return value.getClass().getSimpleName();
    }

    private static void append(StringBuilder sb, Object v, int depth) {
        if (v == null) {
            sb.append("None");
        } else if (v instanceof String s) {
            sb.append('\'').append(s.length() > MAX_STRING ? s.substring(0, MAX_STRING) + "..." : s).append('\'');
        } else if (v instanceof Boolean b) {
            sb.append(b ? "True" : "False");
        } else if (v instanceof byte[] b) {
            sb.append("b<").append(b.length).append(" bytes>");
        } else if (v instanceof DType d) {
            sb.append("torch.").append(d.torchName());
        } else if (v instanceof Number || v instanceof PickledTensor || v instanceof PickledStorage
                || v instanceof PyGlobal) {
            sb.append(v);
        } else if (depth >= MAX_DEPTH) {
            sb.append(typeName(v)).append("(...)");
        } else if (v instanceof PyTuple t) {
            appendAll(sb, "(", t.items(), ")", depth);
        } else if (v instanceof Map<?, ?> m) {
            sb.append(v instanceof PyOrderedDict ? "OrderedDict{" : "{");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (i > 0) {
                    sb.append(", ");
                }
                if (i++ == MAX_ITEMS) {
                    sb.append("... ").append(m.size() - MAX_ITEMS).append(" more");
                    break;
                }
                append(sb, e.getKey(), depth + 1);
                sb.append(": ");
                append(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            appendAll(sb, v instanceof java.util.Set ? "{" : "[", c, v instanceof java.util.Set ? "}" : "]", depth);
        } else if (v instanceof PickledObject o) {
            sb.append(o.qualifiedName()).append("(...)");
        } else {
            sb.append(typeName(v));
        }
    }

    private static void appendAll(StringBuilder sb, String open, Collection<?> items, String close, int depth) {
        sb.append(open);
        int i = 0;
        for (Iterator<?> it = items.iterator(); it.hasNext(); ) {
            Object item = it.next();
            if (i > 0) {
                sb.append(", ");
            }
            if (i++ == MAX_ITEMS) {
                sb.append("... ").append(items.size() - MAX_ITEMS).append(" more");
                break;
            }
            append(sb, item, depth + 1);
        }
        sb.append(close);
    }
}
