package dev.groundingdino.sam;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import dev.groundingdino.testing.Architecture;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Segment Anything module's boundaries: it exports {@code dev.groundingdino.sam} alone, the API's signatures show
 * no libtorch or internal type, it uses only the core internals core exports to it, and no dependency cycle crosses
 * a package boundary (neither API class and internal class, nor between internal packages).
 */
class ArchitectureTest {
    /** The core internals exported to this module (core's module-info.java). */
    private static final Set<String> CORE_INTERNALS_FOR_SAM = Set.of("annotate", "image", "nn", "runtime", "weights");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = Architecture.productionClasses("dev.groundingdino.sam");
    }

    @Test
    void theModuleExportsOnlyTheApiPackage() throws IOException {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("dev.groundingdino.sam");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("dev.groundingdino.sam");
        assertThat(d.exports()).allMatch(e -> !e.isQualified());
    }

    @Test
    void publicSignaturesShowNoLibtorchOpenCvOrInternalType() {
        assertThat(Architecture.apiSignatureViolations(classes, "dev.groundingdino.sam",
                name -> name.startsWith("org.bytedeco.") || name.contains(".internal."))).isEmpty();
    }

    @Test
    void onlyTheCoreInternalsExportedToThisModuleAreUsed() {
        Set<String> used = new TreeSet<>();
        for (JavaClass c : classes) {
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String p = d.getTargetClass().getPackageName();
                if (p.startsWith("dev.groundingdino.internal.")) {
                    used.add(p.substring("dev.groundingdino.internal.".length()).split("\\.")[0]);
                }
            }
        }
        assertThat(CORE_INTERNALS_FOR_SAM).containsAll(used);
    }

    @Test
    void noDependencyCycleCrossesAPackageBoundary() {
        List<Set<String>> classCycles = new ArrayList<>(Architecture.crossPackageClassCycles(classes,
                "dev.groundingdino.sam."));
        assertThat(classCycles).as("class cycles between packages (e.g. an API class and an internal class using "
                + "each other)").isEmpty();
        assertThat(Architecture.packageCycles(classes, p -> p.startsWith("dev.groundingdino.sam.internal")))
                .as("cycles between internal packages").isEmpty();
    }
}
