package dev.groundingdino.cli;

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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The tools are clients of the public API: the module reads only the library's API modules (the compiler then refuses
 * any internal package, as it would in a user's project), and no class depends on an internal package or on
 * libtorch/OpenCV directly.
 */
class ArchitectureTest {
    @Test
    void theModuleRequiresTheLibraryModulesAndNothingOfTheirInternals() throws IOException {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("dev.groundingdino.cli");
        assertThat(d.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("dev.groundingdino", "dev.groundingdino.sam").doesNotContain("org.bytedeco.pytorch",
                        "org.bytedeco.javacpp", "org.bytedeco.opencv");
    }

    @Test
    void noClassUsesAnInternalPackageOrLibtorch() {
        JavaClasses classes = Architecture.productionClasses("dev.groundingdino.cli");
        assertThat(classes).isNotEmpty();
        Set<String> violations = new TreeSet<>();
        for (JavaClass c : classes) {
            for (Dependency dep : c.getDirectDependenciesFromSelf()) {
                String target = dep.getTargetClass().getName();
                if (target.contains(".internal.") || target.startsWith("org.bytedeco.")) {
                    violations.add(c.getSimpleName() + " -> " + target);
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
