package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.groundingdino.testing.Architecture;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core module's boundaries: its module descriptor exports the API package alone (internal packages only to the
 * library's own modules), the API's signatures show no libtorch, OpenCV or internal type, no class cycle crosses the
 * API/internal boundary, and the internal packages are acyclic. Reading tensor memory ({@code data_ptr}) happens in
 * one helper only.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = Architecture.productionClasses("dev.groundingdino");
    }

    @Test
    void theModuleExportsOnlyTheApiPackage() throws IOException {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("dev.groundingdino");
        Set<String> unqualified = d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(unqualified).containsExactly("dev.groundingdino");
        for (ModuleDescriptor.Exports e : d.exports()) {
            if (e.isQualified()) {
                assertThat(e.source()).startsWith("dev.groundingdino.internal.");
                assertThat(e.targets()).containsExactly("dev.groundingdino.sam");
            }
        }
        assertThat(d.opens()).isEmpty();
    }

    @Test
    void publicSignaturesShowNoLibtorchOpenCvOrInternalType() {
        List<String> violations = Architecture.apiSignatureViolations(classes, "dev.groundingdino",
                name -> name.startsWith("org.bytedeco.") || name.contains(".internal."));
        assertThat(violations).as("public API members that expose implementation types").isEmpty();
    }

    @Test
    void noDependencyCycleCrossesAPackageBoundary() {
        assertThat(Architecture.crossPackageClassCycles(classes, "dev.groundingdino."))
                .as("class cycles between packages (an API class and an internal class using each other)").isEmpty();
        assertThat(Architecture.packageCycles(classes, p -> p.startsWith("dev.groundingdino.internal")))
                .as("cycles between internal packages").isEmpty();
    }

    @Test
    void tensorMemoryIsReadInOneHelperOnly() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> readers;
        try (Stream<Path> files = Files.walk(main)) {
            readers = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).contains("data_ptr");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(f -> main.relativize(f).toString()).sorted().toList();
        }
        assertThat(readers).as("HostTensors copies to the CPU first; nothing else may touch tensor memory")
                .containsExactly("dev/groundingdino/internal/runtime/HostTensors.java");
    }
}
