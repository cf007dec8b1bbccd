package dev.groundingdino.internal.weights;

import dev.groundingdino.UnsafeCheckpointException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The restricted unpickler's policy for the globals ({@code module.name}) a pickle names: which are refused
 * outright, which are understood, and which become inert placeholders.
 *
 * <ol>
 *   <li><b>Refused</b> ({@link UnsafeCheckpointException}): anything from a module that can run code, touch the
 *       system or reach arbitrary objects ({@link #DANGEROUS_MODULES}, a few torch submodules), functions named
 *       like code execution in any module ({@link #DANGEROUS_NAMES}), {@code builtins} except pure data types,
 *       and names that are not plain identifiers (dunder paths such as {@code OrderedDict.__init__.__globals__}).
 *   <li><b>Understood</b>: {@code collections.OrderedDict}, the torch tensor/parameter rebuild functions, typed
 *       storages, torch dtypes, and a few data constructors ({@link Unpickler} interprets them in Java).
 *   <li><b>Inert</b>: everything else (e.g. {@code argparse.Namespace}, {@code numpy} scalars) is only recorded
 *       as a {@link PickledObject}; nothing is ever imported or executed.
 * </ol>
 */
final class PickleGlobals {
    /** Module roots (the part before the first dot) that a weights file never needs and that can run code. */
    static final Set<String> DANGEROUS_MODULES = Set.of(
            "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "sys", "builtins", "__builtin__",
            "importlib", "imp", "runpy", "socket", "shutil", "pickle", "_pickle", "cPickle", "pickletools",
            "marshal", "ctypes", "_ctypes", "pty", "code", "codeop", "webbrowser", "functools", "_functools",
            "operator", "_operator", "types", "io", "_io", "pathlib", "multiprocessing", "threading", "_thread",
            "thread", "signal", "tempfile", "glob", "asyncio", "urllib", "urllib2", "http", "httplib", "ftplib",
            "smtplib", "telnetlib", "requests", "platform", "pdb", "bdb", "timeit", "trace", "cProfile", "profile",
            "inspect", "gc", "weakref", "zipimport", "pkgutil", "site", "distutils", "setuptools", "pip", "sysconfig",
            "commands", "popen2", "resource", "fcntl", "mmap", "select", "selectors", "ssl", "xmlrpc", "shelve",
            "dbm", "sqlite3", "tarfile", "zipfile", "lzma", "bz2", "gzip", "zlib", "_posixsubprocess", "_winapi",
            "msvcrt", "winreg", "_winreg", "ensurepip", "venv", "dill", "cloudpickle", "joblib", "yaml", "jinja2");

    /** Dotted module prefixes inside otherwise-understood packages that load or run code. */
    private static final Set<String> DANGEROUS_PREFIXES = Set.of(
            "torch.hub", "torch.jit", "torch._C", "torch.ops", "torch.package", "torch.serialization",
            "torch.utils.cpp_extension", "torch._dynamo", "torch._inductor", "torch.distributed",
            "torch.multiprocessing", "torch.testing", "torch.backends", "torch.compiler", "torch.cuda.jiterator",
            "numpy.testing", "numpy.distutils", "numpy.f2py", "numpy.ctypeslib", "numpy.lib.npyio");

    /** Attribute names that mean "execute something" whatever module they come from. */
    static final Set<String> DANGEROUS_NAMES = Set.of(
            "eval", "exec", "execfile", "compile", "__import__", "import_module", "getattr", "setattr", "delattr",
            "globals", "locals", "vars", "open", "input", "apply", "system", "popen", "popen2", "popen3", "popen4",
            "spawn", "spawnl", "spawnv", "spawnve", "spawnlp", "spawnvp", "execl", "execle", "execlp", "execv",
            "execve", "execvp", "fork", "forkpty", "kill", "call", "check_call", "check_output", "run", "Popen",
            "load", "loads", "save", "remove", "unlink", "rmtree", "rmdir", "chmod", "chown", "breakpoint",
            "load_library", "load_inline", "cdll", "CDLL", "windll", "WinDLL");

    /** {@code builtins} attributes that only construct plain data (accepted; the rest of builtins is refused). */
    static final Set<String> SAFE_BUILTINS = Set.of(
            "set", "frozenset", "bytearray", "bytes", "slice", "complex", "object", "dict", "list", "tuple", "int",
            "float", "str", "bool", "range");

    private static final Pattern MODULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    private PickleGlobals() {}

    /**
     * Resolves a global named by the pickle into an inert Java value: a {@link DType} (torch dtypes), a
     * {@link StorageType} (typed storages) or a {@link PyGlobal}.
     *
     * @throws UnsafeCheckpointException if the global is refused
     */
    static Object resolve(String module, String name) {
        checkSafe(module, name);
        if ((module.equals("torch") || module.equals("torch.cuda")) && name.endsWith("Storage")) {
            return new StorageType(module + "." + name, DType.ofStorageName(name));
        }
        if (module.equals("torch.storage") && (name.equals("UntypedStorage") || name.equals("_UntypedStorage"))
                || module.equals("torch") && name.equals("UntypedStorage")) {
            return new StorageType(module + "." + name, DType.UINT8);
        }
        if (module.equals("torch")) {
            DType dtype = DType.ofTorchName(name);
            if (dtype != null) {
                return dtype;
            }
        }
        return new PyGlobal(module, name);
    }

    /** Throws {@link UnsafeCheckpointException} if {@code module.name} may not appear in a weights file. */
    static void checkSafe(String module, String name) {
        if (!MODULE.matcher(module).matches() || !NAME.matcher(name).matches()) {
            throw unsafe(module, name, "is not a plain Python module/attribute name");
        }
        for (String part : name.split("\\.")) {
            if (part.startsWith("__") && part.endsWith("__")) {
                throw unsafe(module, name, "reaches a dunder attribute, which can lead to arbitrary code");
            }
        }
        String root = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        if (root.equals("builtins") || root.equals("__builtin__")) {
            if (module.equals(root) && SAFE_BUILTINS.contains(name)) {
                return;
            }
            throw unsafe(module, name, "is a Python builtin that can run code or reach the interpreter");
        }
        if (DANGEROUS_MODULES.contains(root)) {
            throw unsafe(module, name, "comes from module '" + root + "', which can run code or touch the system");
        }
        String full = module + "." + name;
        for (String prefix : DANGEROUS_PREFIXES) {
            if (full.startsWith(prefix + ".")) {
                throw unsafe(module, name, "comes from '" + prefix + "', which loads or runs code");
            }
        }
        // Protocol 4 resolves dotted names attribute by attribute (torch.os.system would reach os.system).
        for (String part : name.split("\\.")) {
            if (DANGEROUS_NAMES.contains(part)) {
                throw unsafe(module, name, "is named like a function that executes code or touches files");
            }
            if (name.contains(".") && (DANGEROUS_MODULES.contains(part) || part.equals("_C"))) {
                throw unsafe(module, name, "reaches module '" + part + "' through an attribute path");
            }
        }
    }

    private static UnsafeCheckpointException unsafe(String module, String name, String why) {
        return new UnsafeCheckpointException("Refused to load the checkpoint: its pickle references the global '"
                + module + "." + name + "', which " + why + ". A weights file never needs it, so the file may be "
                + "malicious; nothing from it was executed. Only load checkpoints from sources you trust, or "
                + "convert trusted ones to .safetensors.");
    }

    /**
     * A typed storage class such as {@code torch.FloatStorage} used as the storage type of a persistent id.
     *
     * @param typeName {@code module.name}
     * @param dtype its element type, or {@code null} for unsupported storages (complex, quantized)
     */
    record StorageType(String typeName, DType dtype) {}
}
