package dev.groundingdino.internal.weights;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-assembles pickle bytes opcode by opcode, so tests need no Python. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Raw bytes (opcodes and their arguments). */
    PickleBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    /** Raw latin-1 text (for protocol-0 opcodes: include the newline yourself). */
    PickleBytes text(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    PickleBytes proto(int v) {
        return raw(0x80, v);
    }

    /** GLOBAL: {@code c module\nname\n}. */
    PickleBytes global(String module, String name) {
        return raw('c').text(module + "\n" + name + "\n");
    }

    /** STACK_GLOBAL with both names pushed as SHORT_BINUNICODE. */
    PickleBytes stackGlobal(String module, String name) {
        return shortUnicode(module).shortUnicode(name).raw(0x93);
    }

    /** BINUNICODE. */
    PickleBytes unicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        raw('X');
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    /** SHORT_BINUNICODE. */
    PickleBytes shortUnicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        raw(0x8c, b.length);
        out.writeBytes(b);
        return this;
    }

    /** The smallest int opcode that holds {@code v} (BININT1/2, BININT, LONG1). */
    PickleBytes integer(long v) {
        if (v >= 0 && v < 256) {
            return raw('K', (int) v);
        }
        if (v >= 0 && v < 65536) {
            return raw('M', (int) (v & 0xFF), (int) (v >>> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            raw('J');
            return u32((int) v);
        }
        raw(0x8a, 8);
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    PickleBytes u32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write((v >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    PickleBytes mark() {
        return raw('(');
    }

    PickleBytes tuple() {
        return raw('t');
    }

    PickleBytes emptyTuple() {
        return raw(')');
    }

    PickleBytes emptyDict() {
        return raw('}');
    }

    PickleBytes emptyList() {
        return raw(']');
    }

    PickleBytes reduce() {
        return raw('R');
    }

    PickleBytes build() {
        return raw('b');
    }

    PickleBytes setitem() {
        return raw('s');
    }

    PickleBytes setitems() {
        return raw('u');
    }

    PickleBytes none() {
        return raw('N');
    }

    PickleBytes binput(int i) {
        return raw('q', i);
    }

    PickleBytes binget(int i) {
        return raw('h', i);
    }

    PickleBytes stop() {
        return raw('.');
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
