package dev.groundingdino.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation's Java code honest: every {@code ```java} block of {@code README.md} and
 * {@code docs/*.md} must equal (modulo indentation and trailing spaces) a region between {@code // tag::NAME[]} and
 * {@code // end::NAME[]} of a Java file in this package ({@code *Snippets.java}, or a complete program such as
 * {@link FindObjects}), which the build compiles; and every
 * tagged region must be shown somewhere, so that no snippet is maintained for nothing.
 */
class DocSnippetsTest {
    private static final Pattern TAG = Pattern.compile("^\\s*// tag::([\\w-]+)\\[]\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*```(\\S*)\\s*$");

    private static Path root;
    private static Map<String, String> regions;

    @BeforeAll
    static void read() throws IOException {
        root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isRegularFile(root.resolve("README.md"))) {
            root = root.getParent();
        }
        assertThat(root).as("README.md above " + Path.of("").toAbsolutePath()).isNotNull();
        regions = new LinkedHashMap<>();
        // the snippets of the library's pages live here; those of the web demo's and Spark's pages beside their code
        // (modules groundingdino-cli and groundingdino-spark, which this module does not depend on)
        for (String dir : List.of("examples/src/test/java/dev/groundingdino/examples/docs",
                "groundingdino-cli/src/test/java/dev/groundingdino/cli/web",
                "groundingdino-spark/src/test/java/dev/groundingdino/spark/docs")) {
            try (Stream<Path> files = Files.list(root.resolve(dir))) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith("Snippets.java")
                        || f.getFileName().toString().equals("FindObjects.java")).sorted().toList()) {
                    regions.putAll(regions(file));
                }
            }
        }
    }

    @Test
    void everyJavaBlockOfTheDocsIsACompiledSnippet() throws IOException {
        List<Path> pages = pages();
        assertThat(pages).contains(root.resolve("README.md"), root.resolve("docs/guide.md"));
        List<String> problems = new ArrayList<>();
        int blocks = 0;
        for (Path page : pages) {
            for (Map.Entry<Integer, String> block : javaBlocks(page).entrySet()) {
                blocks++;
                if (!regions.containsValue(block.getValue())) {
                    problems.add(root.relativize(page) + ":" + block.getKey() + ": this ```java block is not a "
                            + "tagged region of a Java file in examples/src/test/java/dev/groundingdino/examples/"
                            + "docs/; put the code there (between // tag::NAME[] and // end::NAME[]) and copy it "
                            + "here:\n"
                            + block.getValue());
                }
            }
        }
        assertThat(problems).as("doc blocks that do not compile-check").isEmpty();
        assertThat(blocks).isGreaterThanOrEqualTo(regions.size());
    }

    @Test
    void everySnippetIsShownInTheDocs() throws IOException {
        List<String> shown = new ArrayList<>();
        for (Path page : pages()) {
            shown.addAll(javaBlocks(page).values());
        }
        List<String> unused = new ArrayList<>();
        regions.forEach((name, code) -> {
            if (!shown.contains(code)) {
                unused.add(name);
            }
        });
        assertThat(unused).as("tagged snippets that no page shows (changed in the docs only, or no longer used)")
                .isEmpty();
    }

    @Test
    void theCheckerFindsBlocksAndRegionsAndNormalisesIndentation() {
        String code = String.join("\n", "    // tag::demo[]", "    if (x) {", "        y();   ", "    }",
                "    // end::demo[]");
        assertThat(regions(List.of(code.split("\n")), "X.java")).containsEntry("X#demo", "if (x) {\n    y();\n}");
        String md = String.join("\n", "text", "```java", "  if (x) {", "      y();", "  }", "```", "```bash",
                "ls", "```");
        assertThat(javaBlocks(List.of(md.split("\n")))).containsExactly(Map.entry(2, "if (x) {\n    y();\n}"));
    }

    // ------------------------------------------------------------------------------------------------ parsing

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static Map<String, String> regions(Path file) throws IOException {
        return regions(Files.readAllLines(file), file.getFileName().toString());
    }

    /** {@code File#NAME} -> normalised code between {@code // tag::NAME[]} and {@code // end::NAME[]} of a file. */
    static Map<String, String> regions(List<String> lines, String file) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = TAG.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            String end = "// end::" + name + "[]";
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().equals(end)) {
                j++;
            }
            assertThat(j).as(file + ": tag " + name + " has no " + end).isLessThan(lines.size());
            String key = file.replaceFirst("\\.java$", "") + "#" + name;
            assertThat(out).as(file + ": tag " + name + " appears twice").doesNotContainKey(key);
            out.put(key, normalise(lines.subList(i + 1, j)));
        }
        return out;
    }

    private static Map<Integer, String> javaBlocks(Path page) throws IOException {
        return javaBlocks(Files.readAllLines(page));
    }

    /** Line number (1-based, of the opening fence) -> normalised code of each {@code ```java} block. */
    static Map<Integer, String> javaBlocks(List<String> lines) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = FENCE.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            int j = i + 1;
            while (j < lines.size() && !FENCE.matcher(lines.get(j)).matches()) {
                j++;
            }
            if (m.group(1).equals("java")) {
                out.put(i + 1, normalise(lines.subList(i + 1, Math.min(j, lines.size()))));
            }
            i = j;
        }
        return out;
    }

    /** Drops trailing spaces, leading and trailing blank lines and the indentation common to all lines. */
    static String normalise(List<String> lines) {
        List<String> trimmed = new ArrayList<>();
        for (String line : lines) {
            trimmed.add(line.stripTrailing());
        }
        while (!trimmed.isEmpty() && trimmed.get(0).isEmpty()) {
            trimmed.remove(0);
        }
        while (!trimmed.isEmpty() && trimmed.get(trimmed.size() - 1).isEmpty()) {
            trimmed.remove(trimmed.size() - 1);
        }
        int indent = Integer.MAX_VALUE;
        for (String line : trimmed) {
            if (!line.isEmpty()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String line : trimmed) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(line.isEmpty() ? "" : line.substring(indent));
        }
        return sb.toString();
    }
}
