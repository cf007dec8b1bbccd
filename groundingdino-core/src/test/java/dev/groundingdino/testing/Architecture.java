package dev.groundingdino.testing;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaParameter;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The architecture rules every module's tests check on its production classes (ArchUnit imports the compiled classes):
 * the public API shows no libtorch/OpenCV or internal type, and no dependency cycle crosses a package boundary, neither
 * between classes (an API class and an internal class using each other) nor between internal packages.
 */
public final class Architecture {
    private Architecture() {}

    /** The production classes of {@code packages} (and their subpackages) on the class path, tests excluded. */
    public static JavaClasses productionClasses(String... packages) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages(packages);
    }

    /**
     * Every public or protected member of the public classes of {@code apiPackage} (exactly that package) whose
     * signature mentions a type that {@code forbidden} matches, as {@code "Class.member: type"}.
     */
    public static List<String> apiSignatureViolations(JavaClasses classes, String apiPackage,
            Predicate<String> forbidden) {
        List<String> out = new ArrayList<>();
        for (JavaClass c : classes) {
            if (!c.getPackageName().equals(apiPackage) || !isVisible(c)) {
                continue;
            }
            for (JavaCodeUnit unit : c.getCodeUnits()) {
                if (!isVisible(unit.getModifiers()) || unit.getName().startsWith("lambda$")) {
                    continue;
                }
                List<JavaType> types = new ArrayList<>();
                types.add(unit.getReturnType());
                for (JavaParameter p : unit.getParameters()) {
                    types.add(p.getType());
                }
                for (JavaType t : types) {
                    for (JavaClass raw : t.getAllInvolvedRawTypes()) {
                        if (forbidden.test(raw.getName())) {
                            out.add(c.getSimpleName() + "." + unit.getName() + ": " + raw.getName());
                        }
                    }
                }
            }
            for (JavaField f : c.getFields()) {
                if (!isVisible(f.getModifiers())) {
                    continue;
                }
                for (JavaClass raw : f.getType().getAllInvolvedRawTypes()) {
                    if (forbidden.test(raw.getName())) {
                        out.add(c.getSimpleName() + "." + f.getName() + ": " + raw.getName());
                    }
                }
            }
        }
        return out;
    }

    private static boolean isVisible(JavaClass c) {
        JavaClass top = c;
        while (top.getEnclosingClass().isPresent()) {
            if (!isVisible(top.getModifiers())) {
                return false;
            }
            top = top.getEnclosingClass().get();
        }
        return isVisible(top.getModifiers());
    }

    private static boolean isVisible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    /**
     * The dependency cycles between top-level classes of different packages (strongly connected components of the
     * class graph that span packages), each as the sorted names of its classes. An API class may use internal
     * classes and internal classes may use API value types, but never both ways round.
     */
    public static List<Set<String>> crossPackageClassCycles(JavaClasses classes, String rootPackage) {
        Map<String, Set<String>> graph = new LinkedHashMap<>();
        for (JavaClass c : classes) {
            String from = topLevel(c).getName();
            if (!from.startsWith(rootPackage)) {
                continue;
            }
            Set<String> edges = graph.computeIfAbsent(from, k -> new LinkedHashSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (target.isArray()) {
                    target = target.getBaseComponentType();
                }
                String to = topLevel(target).getName();
                if (to.startsWith(rootPackage) && !to.equals(from)) {
                    edges.add(to);
                }
            }
        }
        List<Set<String>> out = new ArrayList<>();
        for (Set<String> scc : stronglyConnected(graph)) {
            Set<String> packages = new TreeSet<>();
            for (String name : scc) {
                packages.add(name.substring(0, name.lastIndexOf('.')));
            }
            if (packages.size() > 1) {
                out.add(new TreeSet<>(scc));
            }
        }
        return out;
    }

    /**
     * The cycles between the packages that {@code include} selects (package-level strongly connected components of
     * more than one package), each as the sorted package names.
     */
    public static List<Set<String>> packageCycles(JavaClasses classes, Predicate<String> include) {
        Map<String, Set<String>> graph = new LinkedHashMap<>();
        for (JavaClass c : classes) {
            String from = c.getPackageName();
            if (!include.test(from)) {
                continue;
            }
            Set<String> edges = graph.computeIfAbsent(from, k -> new LinkedHashSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (target.isArray()) {
                    target = target.getBaseComponentType();
                }
                String to = target.getPackageName();
                if (include.test(to) && !to.equals(from)) {
                    edges.add(to);
                }
            }
        }
        List<Set<String>> out = new ArrayList<>();
        for (Set<String> scc : stronglyConnected(graph)) {
            if (scc.size() > 1) {
                out.add(new TreeSet<>(scc));
            }
        }
        return out;
    }

    private static JavaClass topLevel(JavaClass c) {
        JavaClass top = c;
        while (top.getEnclosingClass().isPresent()) {
            top = top.getEnclosingClass().get();
        }
        return top;
    }

    /** Tarjan's strongly connected components, iteratively. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new LinkedHashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String start : graph.keySet()) {
            if (index.containsKey(start)) {
                continue;
            }
            Deque<Object[]> work = new ArrayDeque<>(); // (node, iterator over its edges)
            work.push(new Object[] {start, graph.getOrDefault(start, Set.of()).iterator()});
            index.put(start, counter[0]);
            low.put(start, counter[0]++);
            stack.push(start);
            onStack.add(start);
            while (!work.isEmpty()) {
                Object[] frame = work.peek();
                String v = (String) frame[0];
                @SuppressWarnings("unchecked")
                java.util.Iterator<String> it = (java.util.Iterator<String>) frame[1];
                if (it.hasNext()) {
                    String w = it.next();
                    if (!index.containsKey(w)) {
                        index.put(w, counter[0]);
                        low.put(w, counter[0]++);
                        stack.push(w);
                        onStack.add(w);
                        work.push(new Object[] {w, graph.getOrDefault(w, Set.of()).iterator()});
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = (String) work.peek()[0];
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    Set<String> scc = new LinkedHashSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        scc.add(w);
                    } while (!w.equals(v));
                    out.add(scc);
                }
            }
        }
        return out;
    }
}
