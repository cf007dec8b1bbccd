package dev.groundingdino.internal.weights;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.UnsafeCheckpointException;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted pickle reader (protocols 0 to 5) that understands exactly what a PyTorch state dict needs and
 * never executes anything: it is an interpreter of the pickle opcodes over plain Java values.
 *
 * <p>Values map as follows: {@code None} to {@code null}; {@code bool} to {@link Boolean}; {@code int} to
 * {@link Long} (or {@link BigInteger} beyond 64 bits); {@code float} to {@link Double}; {@code str} to
 * {@link String}; {@code bytes}/{@code bytearray} to {@code byte[]}; {@code list} to {@link ArrayList};
 * {@code tuple} to {@link PyTuple}; {@code dict} to {@link LinkedHashMap}; {@code collections.OrderedDict} to
 * {@link PyOrderedDict}; {@code set}/{@code frozenset} to {@link Set}; tensors rebuilt by
 * {@code torch._utils._rebuild_tensor_v2} / {@code _rebuild_parameter[_with_state]} to {@link PickledTensor}
 * over {@link PickledStorage} (from the persistent ids); torch dtypes to {@link DType}. Every other class becomes
 * an inert {@link PickledObject}. Globals that could run code are refused with
 * {@link UnsafeCheckpointException} (policy: {@link PickleGlobals}).
 *
 * <p>Malformed input (unknown opcode, stack underflow, missing mark, bad memo reference, truncation, absurd sizes)
 * raises {@link CheckpointException}; no other exception escapes {@link #parse}.
 */
public final class Unpickler {
    /** Upper bound of values created, so a hostile pickle cannot exhaust the heap. */
    private static final long MAX_OBJECTS = 20_000_000L;
    /** Upper bound of the value stack. */
    private static final int MAX_STACK = 10_000_000;
    /** Longest textual or LONG4 integer accepted (a weights file has none near this). */
    private static final int MAX_INT_DIGITS = 10_000;
    /** Deepest nesting of a dict key or set element (hashing is recursive). */
    private static final int MAX_KEY_DEPTH = 64;

    private final byte[] in;
    private final String source;
    private int pos;
    private int opStart;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final HashMap<Long, Object> memo = new HashMap<>();
    private final Map<String, PickledStorage> storages = new HashMap<>();
    private final Set<Object> frozenSets = Collections.newSetFromMap(new IdentityHashMap<>());
    private long created;

    private Unpickler(byte[] in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Unpickles {@code data}; see the class comment for the value mapping. */
    public static Object parse(byte[] data) {
        return parse(data, "pickle");
    }

    /**
     * Unpickles {@code data}.
     *
     * @param source how to name the input in error messages (e.g. {@code gdino.pth!gdino/data.pkl})
     * @throws UnsafeCheckpointException if the pickle names a refused global
     * @throws CheckpointException if the pickle is malformed or unsupported
     */
    public static Object parse(byte[] data, String source) {
        Unpickler u = new Unpickler(data, source);
        try {
            return u.run();
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw u.error("malformed pickle (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }

    private Object run() {
        while (true) {
            opStart = pos;
            if (pos >= in.length) {
                throw error("the pickle ends without a STOP opcode: the data is truncated");
            }
            int op = in[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw error("pickle protocol " + proto + " is newer than protocol 5, which this reader supports");
                    }
                }
                case 0x95 -> { // FRAME
                    long len = i64();
                    if (len < 0 || len > in.length - pos) {
                        throw error("FRAME length " + len + " runs past the end of the data");
                    }
                }
                case '.' -> { // STOP
                    if (stack.isEmpty()) {
                        throw error("STOP with an empty stack");
                    }
                    return stack.get(stack.size() - 1);
                }
                case '(' -> pushMark(); // MARK
                case '0' -> { // POP
                    if (stack.size() > frameBase()) {
                        stack.remove(stack.size() - 1);
                    } else {
                        popMark();
                    }
                }
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                // ----- constants and numbers
                case 'N' -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'J' -> push((long) i32()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) u16()); // BININT2
                case 'I' -> push(parseIntLine(line())); // INT
                case 'L' -> push(parseLongLine(line())); // LONG
                case 0x8a -> push(littleEndianInt(bytes(u8()))); // LONG1
                case 0x8b -> { // LONG4
                    int n = i32();
                    if (n < 0 || n > MAX_INT_DIGITS) {
                        throw error("LONG4 with length " + n + " is not a plausible integer");
                    }
                    push(littleEndianInt(bytes(n)));
                }
                case 'G' -> push(Double.longBitsToDouble(i64BigEndian())); // BINFLOAT
                case 'F' -> push(parseFloatLine(line())); // FLOAT
                // ----- strings and bytes
                case 'X' -> pushNew(utf8(bytes(u32()))); // BINUNICODE
                case 0x8c -> pushNew(utf8(bytes(u8()))); // SHORT_BINUNICODE
                case 0x8d -> pushNew(utf8(bytes(len64()))); // BINUNICODE8
                case 'V' -> pushNew(rawUnicodeEscape(line())); // UNICODE
                case 'S' -> pushNew(utf8(pythonStringLiteral(line()))); // STRING
                case 'T' -> { // BINSTRING
                    int n = i32();
                    if (n < 0) {
                        throw error("BINSTRING with negative length " + n);
                    }
                    pushNew(utf8(bytes(n)));
                }
                case 'U' -> pushNew(utf8(bytes(u8()))); // SHORT_BINSTRING
                case 'B' -> pushNew(bytes(u32())); // BINBYTES
                case 'C' -> pushNew(bytes(u8())); // SHORT_BINBYTES
                case 0x8e, 0x96 -> pushNew(bytes(len64())); // BINBYTES8, BYTEARRAY8
                // ----- containers
                case ')' -> pushNew(new PyTuple(List.of())); // EMPTY_TUPLE
                case 0x85 -> pushNew(tuple(pop())); // TUPLE1
                case 0x86 -> { // TUPLE2
                    Object b = pop();
                    Object a = pop();
                    pushNew(tuple(a, b));
                }
                case 0x87 -> { // TUPLE3
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    pushNew(tuple(a, b, c));
                }
                case 't' -> pushNew(new PyTuple(popMark())); // TUPLE
                case ']' -> pushNew(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> pushNew(new ArrayList<>(popMark())); // LIST
                case '}' -> pushNew(new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> d = new LinkedHashMap<>();
                    putPairs(d, items);
                    pushNew(d);
                }
                case 0x8f -> pushNew(new LinkedHashSet<>()); // EMPTY_SET
                case 0x91 -> { // FROZENSET
                    List<Object> items = popMark();
                    Set<Object> s = new LinkedHashSet<>();
                    for (Object item : items) {
                        checkHashable(item, 0);
                        s.add(item);
                    }
                    Set<Object> frozen = Collections.unmodifiableSet(s);
                    frozenSets.add(frozen);
                    pushNew(frozen);
                }
                case 'a' -> { // APPEND
                    Object item = pop();
                    append(peek(), Collections.singletonList(item));
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    append(peek(), items);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    setItems(peek(), java.util.Arrays.asList(key, value));
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    setItems(peek(), items);
                }
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    Object target = peek();
                    if (!(target instanceof LinkedHashSet<?>)) {
                        throw error("ADDITEMS on a " + PickleText.typeName(target) + ", not a set");
                    }
                    @SuppressWarnings("unchecked")
                    Set<Object> set = (Set<Object>) target;
                    for (Object item : items) {
                        checkHashable(item, 0);
                        set.add(item);
                    }
                }
                // ----- memo
                case 'p' -> memo.put(parseMemoIndex(line()), peek()); // PUT
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'g' -> push(memoGet(parseMemoIndex(line()))); // GET
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(u32())); // LONG_BINGET
                // ----- globals, calls, objects
                case 'c' -> { // GLOBAL
                    String module = line();
                    String name = line();
                    pushNew(PickleGlobals.resolve(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings, got " + PickleText.typeName(module) + " and "
                                + PickleText.typeName(name));
                    }
                    pushNew(PickleGlobals.resolve(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    pushNew(call(callable, asArgs(args, "REDUCE"), null, false));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    pushNew(call(cls, asArgs(args, "NEWOBJ"), null, true));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop();
                    Object args = pop();
                    Object cls = pop();
                    if (!(kwargs instanceof Map<?, ?> kw)) {
                        throw error("NEWOBJ_EX keyword arguments are a " + PickleText.typeName(kwargs) + ", not a dict");
                    }
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> kwMap = (Map<Object, Object>) kw;
                    pushNew(call(cls, asArgs(args, "NEWOBJ_EX"), kwMap, true));
                }
                case 'i' -> { // INST
                    String module = line();
                    String name = line();
                    Object cls = PickleGlobals.resolve(module, name);
                    pushNew(call(cls, new PyTuple(popMark()), null, false));
                }
                case 'o' -> { // OBJ
                    List<Object> items = popMark();
                    if (items.isEmpty()) {
                        throw error("OBJ without a class");
                    }
                    pushNew(call(items.get(0), new PyTuple(items.subList(1, items.size())), null, false));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    build(peek(), state);
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case 'P' -> push(persistentLoad(line())); // PERSID
                case 0x82, 0x83, 0x84 -> throw error("extension-registry opcode EXT" + (op == 0x82 ? 1 : op == 0x83 ? 2 : 4)
                        + " is not supported (weights files do not use copyreg extensions)");
                case 0x97 -> throw error("NEXT_BUFFER (out-of-band pickle buffers) is not supported");
                case 0x98 -> peek(); // READONLY_BUFFER: a no-op on our immutable-enough values
                default -> throw error(String.format("unknown pickle opcode 0x%02x", op));
            }
        }
    }

    // ------------------------------------------------------------------ calls and objects

    private Object call(Object callable, PyTuple args, Map<Object, Object> kwargs, boolean newobj) {
        if (callable instanceof PyGlobal g) {
            return construct(g.module(), g.name(), args, kwargs, newobj);
        }
        if (callable instanceof PickleGlobals.StorageType st) {
            int dot = st.typeName().lastIndexOf('.');
            return new PickledObject(st.typeName().substring(0, dot), st.typeName().substring(dot + 1), args, kwargs);
        }
        throw error("a " + PickleText.typeName(callable) + " is called as if it were a class or function");
    }

    private Object construct(String module, String name, PyTuple args, Map<Object, Object> kwargs, boolean newobj) {
        String qualified = module + "." + name;
        switch (qualified) {
            case "collections.OrderedDict" -> {
                PyOrderedDict d = new PyOrderedDict();
                if (!newobj && args.size() == 1) {
                    fillMap(d, args.get(0));
                } else if (!newobj && args.size() > 1) {
                    throw error("OrderedDict() with " + args.size() + " arguments");
                }
                return d;
            }
            case "builtins.set", "__builtin__.set", "builtins.frozenset", "__builtin__.frozenset" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (!newobj && args.size() == 1) {
                    for (Object item : iterable(args.get(0))) {
                        checkHashable(item, 0);
                        s.add(item);
                    }
                }
                if (name.equals("frozenset")) {
                    Set<Object> frozen = Collections.unmodifiableSet(s);
                    frozenSets.add(frozen);
                    return frozen;
                }
                return s;
            }
            case "builtins.list", "__builtin__.list" -> {
                return newobj || args.size() == 0 ? new ArrayList<>() : new ArrayList<>(iterable(args.get(0)));
            }
            case "builtins.tuple", "__builtin__.tuple" -> {
                return newobj || args.size() == 0 ? new PyTuple(List.of()) : new PyTuple(new ArrayList<>(iterable(args.get(0))));
            }
            case "builtins.dict", "__builtin__.dict" -> {
                Map<Object, Object> d = new LinkedHashMap<>();
                if (!newobj && args.size() == 1) {
                    fillMap(d, args.get(0));
                }
                return d;
            }
            case "builtins.bytes", "__builtin__.bytes", "builtins.bytearray", "__builtin__.bytearray" -> {
                byte[] b = newobj ? null : toBytes(args);
                return b != null ? b : new PickledObject(module, name, args, kwargs);
            }
            case "_codecs.encode" -> {
                byte[] b = toBytes(args);
                return b != null ? b : new PickledObject(module, name, args, kwargs);
            }
            case "copyreg._reconstructor", "copy_reg._reconstructor" -> {
                // _reconstructor(cls, base, state) is how protocols 0/1 pickle plain objects.
                if (args.size() == 3 && args.get(0) instanceof PyGlobal cls) {
                    PyTuple initArgs = args.get(2) == null ? new PyTuple(List.of()) : tuple(args.get(2));
                    return new PickledObject(cls.module(), cls.name(), initArgs, null);
                }
                return new PickledObject(module, name, args, kwargs);
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                return rebuildTensor(args, name.endsWith("_v2"));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.size() >= 2 && args.get(0) instanceof PickledTensor t) {
                    return new PickledTensor(t.storage(), t.storageOffset(), t.shape(), t.stride(),
                            Boolean.TRUE.equals(args.get(1)), true);
                }
                return new PickledObject(module, name, args, kwargs);
            }
            case "torch._tensor._rebuild_from_type_v2" -> {
                // _rebuild_from_type_v2(func, new_type, args, state): a tensor subclass or a tensor with attributes.
                if (args.size() == 4 && args.get(0) instanceof PyGlobal func && args.get(2) instanceof PyTuple inner) {
                    return construct(func.module(), func.name(), inner, null, false);
                }
                return new PickledObject(module, name, args, kwargs);
            }
            default -> {
                return new PickledObject(module, name, args, kwargs);
            }
        }
    }

    private PickledTensor rebuildTensor(PyTuple args, boolean v2) {
        int min = v2 ? 6 : 4;
        if (args.size() < min || args.size() > min + 1) {
            throw error("tensor record with " + args.size() + " arguments (expected " + min + ")");
        }
        if (!(args.get(0) instanceof PickledStorage storage)) {
            throw error("tensor record whose storage is a " + PickleText.typeName(args.get(0))
                    + " (expected a persistent-id storage)");
        }
        long offset = nonNegative(args.get(1), "storage offset");
        long[] shape = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        if (shape.length != stride.length) {
            throw error("tensor record with " + shape.length + " sizes but " + stride.length + " strides");
        }
        boolean requiresGrad = v2 && Boolean.TRUE.equals(args.get(4));
        PickledTensor t = new PickledTensor(storage, offset, shape, stride, requiresGrad, false);
        long extent = extent(offset, shape, stride);
        if (extent > storage.numel()) {
            throw error("tensor of shape " + java.util.Arrays.toString(shape) + ", stride "
                    + java.util.Arrays.toString(stride) + " at offset " + offset + " needs " + extent
                    + " elements but its storage '" + storage.key() + "' has " + storage.numel());
        }
        return t;
    }

    /**
     * Number of storage elements a strided view needs: {@code offset + 1 + sum((size-1)*stride)}, or 0 for an
     * empty view.
     *
     * @throws ArithmeticException on overflow
     */
    static long extent(long offset, long[] shape, long[] stride) {
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) {
                return 0;
            }
            last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        }
        return Math.addExact(last, 1);
    }

    private Object persistentLoad(Object pid) {
        if (!(pid instanceof PyTuple t) || t.size() == 0 || !"storage".equals(t.get(0))) {
            throw error("unsupported persistent id " + PickleText.shortRepr(pid)
                    + " (a .pth state dict only uses ('storage', type, key, location, numel))");
        }
        if (t.size() != 5) {
            throw error("persistent id with " + t.size() + " fields: this looks like the legacy (torch < 1.6) "
                    + "format; re-save the checkpoint with a newer torch");
        }
        Object type = t.get(1);
        DType dtype;
        String typeName;
        if (type instanceof PickleGlobals.StorageType st) {
            dtype = st.dtype();
            typeName = st.typeName();
        } else if (type instanceof DType d) {
            dtype = d;
            typeName = "torch." + d.torchName();
        } else if (type instanceof PyGlobal g) {
            dtype = null;
            typeName = g.qualifiedName();
        } else {
            throw error("persistent id with storage type " + PickleText.shortRepr(type));
        }
        if (!(t.get(2) instanceof String key)) {
            throw error("persistent id with a non-string key " + PickleText.shortRepr(t.get(2)));
        }
        String location = t.get(3) instanceof String s ? s : String.valueOf(t.get(3));
        long numel = nonNegative(t.get(4), "storage numel");
        PickledStorage existing = storages.get(key);
        if (existing != null) {
            if (existing.dtype() != dtype || existing.numel() != numel) {
                throw error("storage '" + key + "' is declared twice with different types or sizes ("
                        + existing.typeName() + "/" + existing.numel() + " and " + typeName + "/" + numel + ")");
            }
            return existing;
        }
        PickledStorage s = new PickledStorage(key, dtype, typeName, location, numel);
        storages.put(key, s);
        return s;
    }

    private void build(Object target, Object state) {
        if (target instanceof PyOrderedDict d) {
            if (state instanceof PyTuple t && t.size() == 2) {
                addAttributes(d, t.get(0));
                addAttributes(d, t.get(1));
            } else {
                addAttributes(d, state);
            }
        } else if (target instanceof PickledObject o) {
            o.setState(state);
        } else if (target instanceof PickledTensor) {
            // Tensor.__setstate__ of old pickles (requires_grad, hooks); nothing a weight needs.
            return;
        } else {
            throw error("BUILD on a " + PickleText.typeName(target) + ", which has no state to set");
        }
    }

    private void addAttributes(PyOrderedDict d, Object state) {
        if (state == null) {
            return;
        }
        if (!(state instanceof Map<?, ?> m)) {
            throw error("BUILD state of an OrderedDict is a " + PickleText.typeName(state) + ", not a dict");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw error("attribute name " + PickleText.shortRepr(e.getKey()) + " is not a string");
            }
            d.attributes().put(k, e.getValue());
        }
    }

    private void append(Object target, List<Object> items) {
        if (target instanceof ArrayList<?>) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) target;
            list.addAll(items);
        } else if (target instanceof PickledObject o) {
            o.listItems().addAll(items);
        } else {
            throw error("APPEND to a " + PickleText.typeName(target) + ", not a list");
        }
    }

    private void setItems(Object target, List<Object> items) {
        if (target instanceof LinkedHashMap<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> map = (Map<Object, Object>) target;
            putPairs(map, items);
        } else if (target instanceof PickledObject o) {
            putPairs(o.dictItems(), items);
        } else {
            throw error("SETITEM on a " + PickleText.typeName(target) + ", not a dict");
        }
    }

    private void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw error("odd number of items (" + items.size() + ") for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            checkHashable(items.get(i), 0);
            map.put(items.get(i), items.get(i + 1));
        }
    }

    private void fillMap(Map<Object, Object> map, Object source) {
        if (source instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                map.put(e.getKey(), e.getValue());
            }
            return;
        }
        for (Object pair : iterable(source)) {
            List<Object> kv = pair instanceof PyTuple t ? t.items() : pair instanceof ArrayList<?> l ? castList(l) : null;
            if (kv == null || kv.size() != 2) {
                throw error("dict item " + PickleText.shortRepr(pair) + " is not a (key, value) pair");
            }
            checkHashable(kv.get(0), 0);
            map.put(kv.get(0), kv.get(1));
        }
    }

    private Collection<Object> iterable(Object o) {
        if (o instanceof PyTuple t) {
            return t.items();
        } else if (o instanceof ArrayList<?> l) {
            return castList(l);
        } else if (o instanceof Set<?> s) {
            @SuppressWarnings("unchecked")
            Collection<Object> c = (Collection<Object>) s;
            return c;
        }
        throw error("expected a list or tuple, got a " + PickleText.typeName(o));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(List<?> l) {
        return (List<Object>) l;
    }

    private byte[] toBytes(PyTuple args) {
        if (args.size() == 0) {
            return new byte[0];
        }
        Object a = args.get(0);
        if (args.size() == 1 && a instanceof byte[] b) {
            return b.clone();
        }
        if (args.size() == 2 && a instanceof String s && args.get(1) instanceof String enc) {
            return switch (enc.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
                case "latin1", "latin-1", "iso-8859-1", "iso8859-1" -> s.getBytes(StandardCharsets.ISO_8859_1);
                case "utf8", "utf-8" -> s.getBytes(StandardCharsets.UTF_8);
                case "ascii" -> s.getBytes(StandardCharsets.US_ASCII);
                default -> null;
            };
        }
        if (args.size() == 1 && a instanceof ArrayList<?> l) {
            byte[] out = new byte[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Long v) || v < 0 || v > 255) {
                    return null;
                }
                out[i] = (byte) (long) v;
            }
            return out;
        }
        return null;
    }

    private void checkHashable(Object k, int depth) {
        if (depth > MAX_KEY_DEPTH) {
            throw error("a dict key or set element is nested more than " + MAX_KEY_DEPTH + " levels deep");
        }
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double
                || k instanceof Boolean || k instanceof byte[] || k instanceof DType || k instanceof PyGlobal
                || k instanceof PickleGlobals.StorageType || k instanceof PickledObject || k instanceof PickledTensor
                || k instanceof PickledStorage || frozenSets.contains(k)) {
            return;
        }
        if (k instanceof PyTuple t) {
            for (Object item : t.items()) {
                checkHashable(item, depth + 1);
            }
            return;
        }
        throw error("unhashable " + PickleText.typeName(k) + " used as a dict key or set element");
    }

    private PyTuple asArgs(Object args, String op) {
        if (args instanceof PyTuple t) {
            return t;
        }
        throw error(op + " arguments are a " + PickleText.typeName(args) + ", not a tuple");
    }

    private long nonNegative(Object v, String what) {
        if (v instanceof Long l && l >= 0) {
            return l;
        }
        throw error(what + " is " + PickleText.shortRepr(v) + ", not a non-negative integer");
    }

    private long[] longs(Object v, String what) {
        List<Object> items;
        if (v instanceof PyTuple t) {
            items = t.items();
        } else if (v instanceof ArrayList<?> l) {
            items = castList(l);
        } else {
            throw error("tensor " + what + " is a " + PickleText.typeName(v) + ", not a tuple of integers");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(items.get(i), "tensor " + what + "[" + i + "]");
        }
        return out;
    }

    private static PyTuple tuple(Object... items) {
        return new PyTuple(java.util.Arrays.asList(items));
    }

    // ------------------------------------------------------------------ stack, marks, memo

    private int frameBase() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) {
            throw error("the pickle stack grows beyond " + MAX_STACK + " entries");
        }
        stack.add(o);
    }

    private void pushNew(Object o) {
        if (++created > MAX_OBJECTS) {
            throw error("the pickle creates more than " + MAX_OBJECTS + " objects");
        }
        push(o);
    }

    private Object pop() {
        if (stack.size() <= frameBase()) {
            throw error("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= frameBase()) {
            throw error("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private void pushMark() {
        if (markCount == marks.length) {
            if (marks.length >= MAX_STACK) {
                throw error("too many nested MARKs");
            }
            marks = java.util.Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = stack.size();
    }

    private List<Object> popMark() {
        if (markCount == 0) {
            throw error("an opcode needs a MARK but none is open");
        }
        int base = marks[--markCount];
        List<Object> top = stack.subList(base, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object memoGet(long index) {
        Object v = memo.get(index);
        if (v == null && !memo.containsKey(index)) {
            throw error("memo reference " + index + " was never stored");
        }
        return v;
    }

    // ------------------------------------------------------------------ raw reads

    private int u8() {
        need(1);
        return in[pos++] & 0xFF;
    }

    private int u16() {
        need(2);
        int v = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    private int i32() {
        need(4);
        int v = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8 | (in[pos + 2] & 0xFF) << 16 | (in[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    private long u32() {
        return i32() & 0xFFFFFFFFL;
    }

    private long i64() {
        long lo = u32();
        long hi = u32();
        return lo | hi << 32;
    }

    private long i64BigEndian() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (in[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    private long len64() {
        long n = i64();
        if (n < 0) {
            throw error("negative length " + n);
        }
        return n;
    }

    private byte[] bytes(long n) {
        if (n > in.length - pos) {
            throw error("a " + n + "-byte item runs past the end of the data: the pickle is truncated");
        }
        byte[] b = java.util.Arrays.copyOfRange(in, pos, pos + (int) n);
        pos += (int) n;
        return b;
    }

    private void need(int n) {
        if (n > in.length - pos) {
            throw error("the pickle ends in the middle of an opcode: the data is truncated");
        }
    }

    private String line() {
        for (int i = pos; i < in.length; i++) {
            if (in[i] == '\n') {
                String s = new String(in, pos, i - pos, StandardCharsets.ISO_8859_1);
                pos = i + 1;
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
        }
        throw error("a text opcode has no terminating newline: the pickle is truncated");
    }

    // ------------------------------------------------------------------ text forms

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private Object parseIntLine(String s) {
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        return parseInteger(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
    }

    private Object parseLongLine(String s) {
        return parseInteger(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
    }

    private Object parseInteger(String s) {
        if (s.length() > MAX_INT_DIGITS) {
            throw error("integer literal of " + s.length() + " characters");
        }
        try {
            BigInteger v = new BigInteger(s.trim());
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw error("bad integer literal '" + PickleText.shortRepr(s) + "'", e);
        }
    }

    private double parseFloatLine(String s) {
        String t = s.trim();
        switch (t) {
            case "inf", "+inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "-nan", "+nan" -> {
                return Double.NaN;
            }
            default -> {
                try {
                    if (!t.matches("[0-9eE.+-]+")) {
                        throw new NumberFormatException(t);
                    }
                    return Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw error("bad float literal " + PickleText.shortRepr(s), e);
                }
            }
        }
    }

    private long parseMemoIndex(String s) {
        Object v = parseInteger(s);
        if (v instanceof Long l && l >= 0) {
            return l;
        }
        throw error("bad memo index '" + PickleText.shortRepr(s) + "'");
    }

    private Object littleEndianInt(byte[] b) {
        if (b.length == 0) {
            return 0L;
        }
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            be[i] = b[b.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** Decodes the body of a protocol-0 {@code STRING} (a Python bytes literal in quotes) to raw bytes. */
    private byte[] pythonStringLiteral(String s) {
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw error("STRING opcode argument is not a quoted string");
        }
        String body = s.substring(1, s.length() - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.write(c & 0xFF);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'v' -> out.write(11);
                case '\\', '\'', '"' -> out.write(e);
                case '\n' -> { }
                case 'x' -> {
                    out.write(hex(body, i + 1, 2));
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        int n = 1;
                        while (n < 3 && i + 1 < body.length() && body.charAt(i + 1) >= '0' && body.charAt(i + 1) <= '7') {
                            v = v * 8 + body.charAt(++i) - '0';
                            n++;
                        }
                        out.write(v & 0xFF);
                    } else {
                        out.write('\\');
                        out.write(e & 0xFF);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** Decodes Python's {@code raw-unicode-escape} (latin-1 plus {@code \\u} with 4 hex digits and {@code \\U} with 8). */
    private String rawUnicodeEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
                int digits = s.charAt(i + 1) == 'u' ? 4 : 8;
                int cp = hex(s, i + 2, digits);
                if (!Character.isValidCodePoint(cp)) {
                    throw error("bad \\U escape in UNICODE");
                }
                sb.appendCodePoint(cp);
                i += 1 + digits;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private int hex(String s, int from, int digits) {
        if (from + digits > s.length()) {
            throw error("truncated hex escape");
        }
        try {
            return (int) Long.parseLong(s.substring(from, from + digits), 16);
        } catch (NumberFormatException e) {
            throw error("bad hex escape '" + s.substring(from, from + digits) + "'", e);
        }
    }

    private CheckpointException error(String message) {
        return error(message, null);
    }

    private CheckpointException error(String message, Throwable cause) {
        String text = source + ": " + message + " (at byte " + opStart + " of " + in.length
                + "). The checkpoint is corrupt or was not written by torch.save; re-download or re-save it.";
        return cause == null ? new CheckpointException(text) : new CheckpointException(text, cause);
    }
}
