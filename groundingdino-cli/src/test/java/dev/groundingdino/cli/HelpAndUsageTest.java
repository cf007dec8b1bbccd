package dev.groundingdino.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a new user meets first: the help lists every command with a whole sentence, {@code --version} names the
 * build, a usage error is one line plus a pointer to the help (not the whole help), the demo model is announced
 * once, and {@code --json -} / {@code --coco -} write to the standard output.
 */
class HelpAndUsageTest {
    @Test
    void theCommandListShowsAWholeSentencePerCommand() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        List<String> commands = new ArrayList<>();
        boolean inCommands = false;
        for (String line : run.out().lines().toList()) {
            if (line.startsWith("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.matches("^  \\S.*")) {
                commands.add(line.strip());
            } else if (inCommands && line.startsWith("    ") && !commands.isEmpty()) {
                int last = commands.size() - 1;
                commands.set(last, commands.get(last) + " " + line.strip()); // a wrapped description
            }
        }
        assertThat(commands).extracting(c -> c.split("\\s+")[0])
                .contains("inspect", "tokenize", "detect", "segment", "web");
        for (String c : commands) {
            assertThat(c).as("a complete sentence, not cut mid-way").endsWith(".");
        }
    }

    @Test
    void versionNamesTheBuild() {
        CliRun run = CliRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("gdino 0.").doesNotContain("development build").doesNotContain("unknown");
    }

    @Test
    void aUsageErrorIsOneLineAndWhereToReadMore() {
        CliRun run = CliRun.of("detect", "--bogus");
        assertThat(run.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(run.err().strip().lines().toList()).containsExactly("gdino detect: Unknown option: '--bogus'",
                "Try 'gdino detect --help' for more information.");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void theDemoModelIsAnnouncedOnceAndJsonGoesToTheStandardOutput() throws Exception {
        CliRun run = CliRun.of("detect", "--weights", "demo", "--image",
                Golden.file("images/synth_pano_2000x100.png").toString(), "--prompt", "cat . dog", "--json", "-");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err().lines().filter(l -> l.contains("random-weight")).count()).as(run.err()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(run.out()); // only the document on the standard output
        assertThat(json.get("width").asInt()).isEqualTo(2000);
        assertThat(run.err()).contains("Found"); // the report moved to the standard error

        CliRun coco = CliRun.of("detect", "--weights", "demo", "--image",
                Golden.file("images/synth_pano_2000x100.png").toString(), "--classes", "cat,dog", "--coco", "-");
        assertThat(coco.exitCode()).as(coco.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(coco.out());
        assertThat(doc.get("categories")).hasSize(2);
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("-"))).isFalse();
    }
}
