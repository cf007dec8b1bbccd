package dev.groundingdino.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class NativesTest {

    @Test
    void loadsLibtorchAndRunsAnOp() {
        Natives.ensureLoaded();
        Natives.ensureLoaded();
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor t = torch.ones(2, 3).mul(new org.bytedeco.pytorch.Scalar(2.0));
            assertThat(t.sum().item_double()).isEqualTo(12.0);
        }
    }

    /**
     * Guide risk 2: on a cold JavaCPP cache, a libtorch found on the system library path used to be picked up for
     * {@code libtorch_cpu.so} and crash the JVM. Here a poisoned library folder (files named like libtorch's
     * libraries, but not loadable) is first on LD_LIBRARY_PATH and the cache is empty: the load must still succeed.
     */
    @Test
    void coldCacheLoadIgnoresForeignLibtorchFilesOnTheLibraryPath() throws Exception {
        Path tmp = Files.createTempDirectory("natives-test");
        try {
            Path poison = Files.createDirectories(tmp.resolve("poison"));
            for (String lib : new String[] {"libtorch_cpu.so", "libtorch.so", "libc10.so", "libtorch_cpu.so.1.13",
                    "libgomp.so.1", "libopenblas.so.0"}) {
                Files.writeString(poison.resolve(lib), "not a shared library");
            }
            Path cache = tmp.resolve("cache");
            ProcessResult r = runProbe(cache, poison);
            assertThat(r.exitCode).as("child output:%n%s", r.output).isZero();
            assertThat(r.output).contains("SUM=10");
            try (Stream<Path> s = Files.list(cache)) {
                assertThat(s.count()).isPositive();
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * A real (but foreign) libtorch_cpu/libc10 on LD_LIBRARY_PATH wins over the bundled one in the dynamic linker:
     * the load must fail with a NativeLibraryException naming the shadowing files, never a JVM crash. The foreign
     * libraries are built with gcc; without gcc the test is skipped.
     */
    @Test
    void foreignLoadableLibtorchGivesAClearErrorNotACrash() throws Exception {
        Path tmp = Files.createTempDirectory("natives-test");
        try {
            Path src = tmp.resolve("fake.c");
            Files.writeString(src, "int gdino_fake_symbol(void) { return 42; }\n");
            Path poison = Files.createDirectories(tmp.resolve("foreign"));
            for (String lib : new String[] {"libtorch_cpu.so", "libc10.so", "libtorch.so"}) {
                Process gcc;
                try {
                    gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", poison.resolve(lib).toString(),
                            src.toString()).redirectErrorStream(true).start();
                } catch (IOException e) {
                    Assumptions.abort("gcc not available: " + e.getMessage());
                    return;
                }
                gcc.getInputStream().readAllBytes();
                Assumptions.assumeTrue(gcc.waitFor() == 0, "gcc failed to build a shared library");
            }
            ProcessResult r = runProbe(tmp.resolve("cache"), poison);
            assertThat(r.output).doesNotContain("SIGSEGV").doesNotContain("A fatal error has been detected");
            assertThat(r.exitCode).as("child output:%n%s", r.output).isEqualTo(1);
            assertThat(r.output).contains("NativeLibraryException").contains(poison.resolve("libtorch_cpu.so").toString())
                    .contains("LD_LIBRARY_PATH");
        } finally {
            deleteTree(tmp);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    record ProcessResult(int exitCode, String output) {}

    static ProcessResult runProbe(Path cacheDir, Path libraryPath, String... args) throws IOException, InterruptedException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dorg.bytedeco.javacpp.cacheDir=" + cacheDir, NativesProbe.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", libraryPath.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("probe timed out");
        }
        return new ProcessResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
