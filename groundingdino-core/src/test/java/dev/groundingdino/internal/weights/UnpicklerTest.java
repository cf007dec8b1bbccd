package dev.groundingdino.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.UnsafeCheckpointException;
import dev.groundingdino.testing.Golden;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The restricted unpickler: opcodes of protocols 0-5, the global policy, and hostile or garbage input. */
class UnpicklerTest {

    private static Object parse(PickleBytes p) {
        return Unpickler.parse(p.bytes(), "test");
    }

    // ------------------------------------------------------------------ values

    @Test
    void protocol0TextOpcodes() {
        PickleBytes p = new PickleBytes().text("(lp0\nI1\naI-7\naL123456789012345678901234567890L\naF1.5\naF-inf\na")
                .text("S'a\\n\\x41\\101'\na").text("Vcaf\u00e9\\u20ac\na").text("I01\naI00\naNag0\na.");
        Object v = parse(p);
        assertThat(v).isInstanceOf(ArrayList.class);
        List<Object> l = list(v);
        assertThat(l.subList(0, 2)).containsExactly(1L, -7L);
        assertThat(l.get(2)).isEqualTo(new BigInteger("123456789012345678901234567890"));
        assertThat(l.subList(3, 10)).containsExactly(1.5, Double.NEGATIVE_INFINITY, "a\nAA", "caf\u00e9\u20ac", true,
                false, null);
        assertThat(l.get(10)).isSameAs(l);
    }

    @Test
    void protocol2BinaryOpcodes() {
        PickleBytes p = new PickleBytes().proto(2).raw(']').binput(0).raw('(')
                .raw('K', 200).raw('M', 0x34, 0x12).raw('J', 0xff, 0xff, 0xff, 0xff)
                .raw(0x8a, 0).raw(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0) // 2^63 needs 9 bytes
                .raw(0x8b, 2, 0, 0, 0, 0xff, 0x7f)
                .raw('G', 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18)
                .raw(0x88, 0x89, 'N')
                .raw('U', 2).text("hi").raw('T', 1, 0, 0, 0).text("x")
                .raw('C', 2, 1, 2).raw('B', 1, 0, 0, 0, 9)
                .raw('K', 1).raw(0x85).raw('K', 1, 'K', 2).raw(0x86).raw('K', 1, 'K', 2, 'K', 3).raw(0x87)
                .raw(')', '}', ']')
                .raw('e', '.');
        List<Object> l = list(parse(p));
        assertThat(l.subList(0, 6)).containsExactly(200L, 0x1234L, -1L, 0L, BigInteger.ONE.shiftLeft(63), 0x7fffL);
        assertThat((double) l.get(6)).isEqualTo(Math.PI);
        assertThat(l.subList(7, 12)).containsExactly(true, false, null, "hi", "x");
        assertThat((byte[]) l.get(12)).containsExactly(1, 2);
        assertThat((byte[]) l.get(13)).containsExactly(9);
        assertThat(l.get(14)).isEqualTo(new PyTuple(List.of(1L)));
        assertThat(l.get(15)).isEqualTo(new PyTuple(List.of(1L, 2L)));
        assertThat(l.get(16)).isEqualTo(new PyTuple(List.of(1L, 2L, 3L)));
        assertThat(l.get(17)).isEqualTo(new PyTuple(List.of()));
        assertThat(l.get(18)).isEqualTo(Map.of());
        assertThat(l.get(19)).isEqualTo(List.of());
    }

    @Test
    void protocol4And5Opcodes() {
        PickleBytes p = new PickleBytes().proto(5).raw(0x95, 10, 0, 0, 0, 0, 0, 0, 0)
                .raw('}').raw(0x94)                              // dict, MEMOIZE as 0
                .raw('(')
                .raw(0x8c, 1).text("s").raw(0x8f).raw(0x94).raw('(', 'K', 1, 'K', 2, 0x90)  // set {1, 2}
                .raw(0x8c, 1).text("f").raw('(', 'K', 3, 0x91)                             // frozenset {3}
                .raw(0x8c, 1).text("u").raw(0x8d, 2, 0, 0, 0, 0, 0, 0, 0).text("ok")       // BINUNICODE8
                .raw(0x8c, 1).text("b").raw(0x8e, 1, 0, 0, 0, 0, 0, 0, 0, 7)               // BINBYTES8
                .raw(0x8c, 1).text("a").raw(0x96, 1, 0, 0, 0, 0, 0, 0, 0, 8).raw(0x98)     // BYTEARRAY8
                .raw(0x8c, 1).text("g").raw(0x8c, 11).text("collections").raw(0x8c, 11).text("OrderedDict")
                .raw(0x93, ')', 'R')
                .raw(0x8c, 1).text("m").raw('h', 0)                                         // BINGET memo 0
                .raw('u', '.');
        Map<Object, Object> d = map(parse(p));
        assertThat(set(d.get("s"))).containsExactly(1L, 2L);
        assertThat(set(d.get("f"))).containsExactly(3L);
        assertThat(d.get("u")).isEqualTo("ok");
        assertThat((byte[]) d.get("b")).containsExactly(7);
        assertThat((byte[]) d.get("a")).containsExactly(8);
        assertThat(d.get("g")).isInstanceOf(PyOrderedDict.class);
        assertThat(d.get("m")).isSameAs(d);
    }

    @Test
    void memoPutGetVariantsAndStackOps() {
        PickleBytes p = new PickleBytes().proto(2).raw('(')
                .raw('K', 5).text("p7\n").raw('0')          // PUT 7, POP
                .raw('K', 6).raw('r', 0, 1, 0, 0).raw('0')  // LONG_BINPUT 256, POP
                .text("g7\n").raw('j', 0, 1, 0, 0)          // GET 7, LONG_BINGET 256
                .raw('K', 9, '2')                           // DUP
                .raw('(', 'K', 1, 'K', 2, '1')              // POP_MARK discards (1, 2)
                .raw('l', '.');
        assertThat(parse(p)).isEqualTo(List.of(5L, 6L, 9L, 9L));
    }

    @Test
    void orderedDictWithMetadataBuildLikeStateDict() {
        byte[] b = TorchPickle.stateDict(List.of(TorchPickle.Tensor.f32("w", "0", 2, 3)), null, null);
        Object root = Unpickler.parse(b, "test");
        assertThat(root).isInstanceOf(PyOrderedDict.class);
        PyOrderedDict sd = (PyOrderedDict) root;
        assertThat(sd.attributes()).containsKey("_metadata");
        PickledTensor t = (PickledTensor) sd.get("w");
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.stride()).containsExactly(3, 1);
        assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(t.storage().key()).isEqualTo("0");
        assertThat(t.storage().location()).isEqualTo("cpu");
    }

    @Test
    void parameterAndSharedStorages() {
        PickleBytes p = new PickleBytes().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().mark();
        p.unicode("a").global("torch._utils", "_rebuild_parameter");
        TorchPickle.tensor(p, new TorchPickle.Tensor("a", "k", "HalfStorage", 6, 0, new long[] {6}, new long[] {1}));
        p.raw(0x88).global("collections", "OrderedDict").emptyTuple().reduce().raw(0x87).reduce();
        p.unicode("b");
        TorchPickle.tensor(p, new TorchPickle.Tensor("b", "k", "HalfStorage", 6, 2, new long[] {2, 2},
                new long[] {0, 1}));
        p.setitems().stop();
        PyOrderedDict sd = (PyOrderedDict) parse(p);
        PickledTensor a = (PickledTensor) sd.get("a");
        PickledTensor b = (PickledTensor) sd.get("b");
        assertThat(a.parameter()).isTrue();
        assertThat(a.requiresGrad()).isTrue();
        assertThat(a.dtype()).isEqualTo(DType.FLOAT16);
        assertThat(b.storage()).isSameAs(a.storage());
        assertThat(b.stride()).containsExactly(0, 1);
    }

    @Test
    void newerTorchStorageForms() {
        // ("storage", torch.float32, ...) and torch.storage.UntypedStorage as storage types
        PickleBytes p = new PickleBytes().proto(2).raw('(');
        p.global("torch._utils", "_rebuild_tensor_v2").raw('(', '(').unicode("storage").global("torch", "bfloat16")
                .unicode("0").unicode("cuda:0").integer(4).raw('t', 'Q').integer(0).raw('K', 4, 0x85, 'K', 1, 0x85)
                .raw(0x89).emptyDict().raw('t', 'R');
        p.global("torch._utils", "_rebuild_tensor_v2").raw('(', '(').unicode("storage")
                .global("torch.storage", "UntypedStorage").unicode("1").unicode("cpu").integer(3).raw('t', 'Q')
                .integer(0).raw('K', 3, 0x85, 'K', 1, 0x85).raw(0x89).emptyDict().none().raw('t', 'R');
        p.raw('l', '.');
        List<Object> l = list(parse(p));
        assertThat(((PickledTensor) l.get(0)).dtype()).isEqualTo(DType.BFLOAT16);
        assertThat(((PickledTensor) l.get(0)).storage().location()).isEqualTo("cuda:0");
        assertThat(((PickledTensor) l.get(1)).dtype()).isEqualTo(DType.UINT8);
    }

    @Test
    void argparseNamespaceBecomesInertPlaceholder() {
        PickleBytes p = new PickleBytes().proto(2).emptyDict().unicode("args");
        TorchPickle.namespace(p);
        p.setitem().stop();
        Map<Object, Object> d = map(parse(p));
        PickledObject ns = (PickledObject) d.get("args");
        assertThat(ns.qualifiedName()).isEqualTo("argparse.Namespace");
        assertThat(map(ns.state())).containsEntry("lr", 0.1).containsEntry("name", "run");
    }

    @Test
    void protocol0ObjectsViaCopyregAndInst() {
        // copyreg._reconstructor(argparse.Namespace, object, None) then BUILD, as protocol 0 writes it
        PickleBytes p = new PickleBytes().text("(lccopy_reg\n_reconstructor\n(cargparse\nNamespace\nc__builtin__\n")
                .text("object\nNtR(dVlr\nF0.5\nsba").text("(I3\nipathlib_like\nThing\na.");
        List<Object> l = list(parse(p));
        PickledObject ns = (PickledObject) l.get(0);
        assertThat(ns.qualifiedName()).isEqualTo("argparse.Namespace");
        assertThat(map(ns.state())).containsEntry("lr", 0.5);
        assertThat(((PickledObject) l.get(1)).args().items()).containsExactly(3L);
    }

    @Test
    void unknownClassesAreRecordedNotRun() {
        PickleBytes p = new PickleBytes().proto(4).raw(0x8c, 5).text("numpy").raw(0x8c, 5).text("dtype").raw(0x93)
                .raw(0x8c, 2).text("f4").raw(0x85).raw(0x81)
                .raw(0x8c, 3).text("foo").raw(0x8c, 3).text("Bar").raw(0x93).emptyTuple().raw('}', 0x8c, 1).text("k")
                .raw('K', 1, 's').raw(0x92)
                .raw(0x86, '.');
        PyTuple t = (PyTuple) parse(p);
        assertThat(((PickledObject) t.get(0)).qualifiedName()).isEqualTo("numpy.dtype");
        assertThat(((PickledObject) t.get(1)).kwargs()).containsEntry("k", 1L);
    }

    @Test
    void bytesViaCodecsEncodeAsPython3WritesThemInProtocol2() {
        PickleBytes p = new PickleBytes().proto(2).global("_codecs", "encode").unicode("\u00ff\u0001").unicode("latin1")
                .raw(0x86).reduce().stop();
        assertThat((byte[]) parse(p)).containsExactly(0xff, 1);
    }

    // ------------------------------------------------------------------ refused globals

    @ParameterizedTest
    @ValueSource(strings = {"os system", "posix system", "nt system", "builtins eval", "builtins exec",
            "__builtin__ eval", "builtins getattr", "builtins __import__", "subprocess Popen", "subprocess check_output",
            "sys modules", "importlib import_module", "runpy run_path", "socket socket", "shutil rmtree",
            "pickle loads", "marshal loads", "ctypes CDLL", "pty spawn", "code InteractiveInterpreter",
            "webbrowser open", "functools partial", "operator attrgetter", "types FunctionType", "io open",
            "pathlib Path", "multiprocessing Process", "torch load", "torch.hub load", "torch.jit load",
            "torch os.system", "collections OrderedDict.__init__", "numpy.testing rundocs", "torch _C._cuda_init"})
    void dangerousGlobalsAreRejectedViaGlobalAndStackGlobal(String spec) {
        String module = spec.split(" ")[0];
        String name = spec.split(" ")[1];
        byte[] viaGlobal = new PickleBytes().proto(2).global(module, name).stop().bytes();
        byte[] viaStack = new PickleBytes().proto(4).stackGlobal(module, name).stop().bytes();
        for (byte[] b : List.of(viaGlobal, viaStack)) {
            assertThatThrownBy(() -> Unpickler.parse(b, "evil.pkl"))
                    .isInstanceOf(UnsafeCheckpointException.class)
                    .hasMessageContaining(module + "." + name)
                    .hasMessageContaining("nothing from it was executed");
        }
    }

    @Test
    void reduceOfDangerousGlobalIsRejectedBeforeAnythingElse() {
        // What pickle.dumps of an object with __reduce__ -> (os.system, ("echo pwned",)) looks like.
        byte[] evil = new PickleBytes().proto(2).global("posix", "system").unicode("echo pwned").raw(0x85).reduce()
                .stop().bytes();
        assertThatThrownBy(() -> Unpickler.parse(evil, "evil.pkl")).isInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("posix.system");
        byte[] evilInst = new PickleBytes().text("(S'echo pwned'\nios\nsystem\n.").bytes();
        assertThatThrownBy(() -> Unpickler.parse(evilInst, "evil.pkl")).isInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("os.system");
        byte[] evilStack = new PickleBytes().proto(4).stackGlobal("builtins", "eval").shortUnicode("1+1").raw(0x85)
                .reduce().stop().bytes();
        assertThatThrownBy(() -> Unpickler.parse(evilStack, "evil.pkl")).isInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("builtins.eval");
    }

    @Test
    void safeBuiltinsAreAccepted() {
        PickleBytes p = new PickleBytes().proto(2).global("builtins", "set").emptyList().raw('K', 1, 'a').raw(0x85)
                .reduce().global("__builtin__", "complex").raw('K', 1, 'K', 2, 0x86).reduce().raw(0x86).stop();
        PyTuple t = (PyTuple) parse(p);
        assertThat(set(t.get(0))).containsExactly(1L);
        assertThat(((PickledObject) t.get(1)).qualifiedName()).isEqualTo("__builtin__.complex");
    }

    // ------------------------------------------------------------------ malformed input

    @ParameterizedTest
    @ValueSource(strings = {
        "",                 // empty
        "8002",             // no STOP
        "80022e",           // STOP on empty stack
        "8002ff2e",         // unknown opcode
        "800230",           // POP on empty stack: underflow
        "80027d752e",       // SETITEMS without MARK
        "8002680c2e",       // BINGET of a memo slot never PUT
        "80024b01742e",     // TUPLE without MARK
        "80024b014b02522e", // REDUCE on an int
        "80027d4b0162",     // BUILD on a dict, truncated
        "8002588000000061", // BINUNICODE longer than the data
        "80095d2e",         // protocol 9
        "80028b000000802e", // LONG4 with negative length
        "80025d4b017d732e", // SETITEM with unhashable key (list) into dict? (tuple of wrong arity)
        "80027d5d4b01732e", // dict key is a list: unhashable
        "8002820100",       // EXT1
        "8002972e",         // NEXT_BUFFER
    })
    void malformedPicklesRaiseCheckpointException(String hex) {
        byte[] b = hexBytes(hex);
        assertThatThrownBy(() -> Unpickler.parse(b, "bad.pkl")).isInstanceOf(CheckpointException.class)
                .isNotInstanceOf(UnsafeCheckpointException.class).hasMessageContaining("bad.pkl");
    }

    /**
     * Two odd but valid pickles, read as CPython reads them ({@code pickle.loads} gives {@code ()} for both): STOP
     * returns the top of the stack whatever lies below it, an unclosed MARK included, and ignores trailing bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "80024b0128742e2e", // 1, MARK, TUPLE -> (), STOP (a second STOP after it is never read)
        "80025d28292e",     // [], MARK, EMPTY_TUPLE, STOP with the MARK still open
    })
    void oddButValidPicklesGiveWhatPythonGives(String hex) {
        Object v = Unpickler.parse(hexBytes(hex), "odd.pkl");
        assertThat(v).isEqualTo(new PyTuple(List.of()));
    }

    @Test
    void deeplyNestedAndCyclicStructuresDoNotOverflow() {
        PickleBytes deep = new PickleBytes().proto(2).raw('K', 1);
        for (int i = 0; i < 200_000; i++) {
            deep.raw(0x85); // TUPLE1 200k levels deep
        }
        Object v = Unpickler.parse(deep.stop().bytes(), "deep");
        assertThat(PickleText.shortRepr(v)).startsWith("(((");
        PickleBytes asKey = new PickleBytes().proto(2).raw('}', 'K', 1);
        for (int i = 0; i < 100; i++) {
            asKey.raw(0x85);
        }
        assertThatThrownBy(() -> Unpickler.parse(asKey.raw('K', 0, 's', '.').bytes(), "deepkey"))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("nested");
        // a list that contains itself, printed
        PickleBytes cyc = new PickleBytes().proto(2).raw(']', '2', 'a', '.');
        Object l = Unpickler.parse(cyc.bytes(), "cycle");
        assertThat(PickleText.shortRepr(l)).isNotEmpty();
    }

    @Test
    void tensorRecordsAreValidatedAgainstTheirStorage() {
        // storage of 4 elements, view of 3x2 does not fit
        byte[] b = TorchPickle.stateDict(List.of(new TorchPickle.Tensor("w", "0", "FloatStorage", 4, 0,
                new long[] {3, 2}, new long[] {2, 1})), null, null);
        assertThatThrownBy(() -> Unpickler.parse(b, "t")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("needs 6 elements");
        byte[] huge = TorchPickle.stateDict(List.of(new TorchPickle.Tensor("w", "0", "FloatStorage", 4, 0,
                new long[] {1L << 40, 1L << 40}, new long[] {1L << 40, 1L << 40})), null, null);
        assertThatThrownBy(() -> Unpickler.parse(huge, "t")).isInstanceOf(CheckpointException.class);
    }

    @Test
    void garbageNeverEscapesAsAnythingButCheckpointException() {
        Random r = new Random(12345);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[1 + r.nextInt(64)];
            r.nextBytes(b);
            if (r.nextBoolean()) {
                b[0] = (byte) 0x80;
                if (b.length > 1) {
                    b[1] = 2;
                }
            }
            tryParse(b);
        }
    }

    @Test
    void mutatedRealPicklesNeverEscapeAsAnythingButCheckpointException() throws IOException {
        Path pth = Golden.file("gdino/tiny_seed0/gdino.pth");
        byte[] original;
        try (FileChannel ch = ZipArchive.openChannel(pth)) {
            ZipArchive zip = ZipArchive.open(ch, pth);
            original = zip.readFully(zip.entries().get("gdino/data.pkl"));
        }
        assertThat(Unpickler.parse(original, "gdino")).isInstanceOf(Map.class);
        Random r = new Random(777);
        for (int i = 0; i < 400; i++) {
            byte[] b = original.clone();
            int flips = 1 + r.nextInt(4);
            for (int k = 0; k < flips; k++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            if (r.nextInt(4) == 0) {
                b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            }
            tryParse(b);
        }
    }

    private static void tryParse(byte[] b) {
        try {
            Object v = Unpickler.parse(b, "fuzz");
            PickleText.shortRepr(v);
        } catch (CheckpointException expected) {
            // UnsafeCheckpointException included: garbage may spell a refused global
        } catch (Throwable t) {
            fail("unpickling " + b.length + " bytes escaped with " + t, t);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> map(Object o) {
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static Set<Object> set(Object o) {
        return (Set<Object>) o;
    }

    static byte[] hexBytes(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
