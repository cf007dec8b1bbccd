package dev.groundingdino.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the golden reference data ({@code ../shared/golden} beside the repository).
 *
 * <p>The folder is taken from the system property {@code groundingdino.golden} (the build sets it), else found by
 * walking up from the working directory. When it is absent, tests that need it are skipped with a visible
 * message, except when the environment variable {@code CI=true} is set: then absence is a failure.
 */
public final class Golden {
    public static final String PROPERTY = "groundingdino.golden";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {}

    /** The golden folder if it exists, else {@code null}. */
    public static Path find() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path p = Paths.get(configured).toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        Path dir = Paths.get("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared").resolve("golden");
            if (dir.getParent() != null && Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate.normalize();
            }
        }
        return null;
    }

    /** The golden folder; skips the calling test (or fails it on CI) when the data is absent. */
    public static Path dir() {
        Path p = find();
        if (p == null) {
            String msg = "golden data not found (looked at -D" + PROPERTY + "=" + System.getProperty(PROPERTY)
                    + " and ../shared/golden above " + Paths.get("").toAbsolutePath() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(msg + "; CI=true requires it");
            }
            System.err.println("SKIPPED: " + msg);
            Assumptions.abort(msg);
        }
        return p;
    }

    /** A file inside the golden folder, which must exist (skip/fail semantics as {@link #dir()}). */
    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        Assertions.assertTrue(Files.exists(p), "golden file missing: " + p);
        return p;
    }

    /** name -> shape of a golden manifest / config {@code state_dict} object, in file order. */
    public static Map<String, long[]> shapes(JsonNode stateDict) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : stateDict.properties()) {
            JsonNode shape = e.getValue().get("shape");
            long[] s = new long[shape.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = shape.get(i).asLong();
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The GroundingDINO suite folder ({@code gdino/tiny_seed0}). */
    public static Path gdinoSuite() {
        return dir().resolve(json(dir().resolve("suite_shared.json")).get("gdino").get(0).get("dir").asText());
    }

    /** The SAM suite folder ({@code sam/tiny_seed0}). */
    public static Path samSuite() {
        return dir().resolve(json(dir().resolve("suite_shared.json")).get("sam").get(0).get("dir").asText());
    }

    /** Every GroundingDINO case folder listed in {@code suite_shared.json}. */
    public static List<Path> gdinoCases() {
        return cases("gdino");
    }

    /** Every SAM case folder listed in {@code suite_shared.json}. */
    public static List<Path> samCases() {
        return cases("sam");
    }

    private static List<Path> cases(String family) {
        JsonNode suite = json(dir().resolve("suite_shared.json"));
        List<Path> out = new ArrayList<>();
        for (JsonNode s : suite.get(family)) {
            Path base = dir().resolve(s.get("dir").asText()).resolve("cases");
            for (JsonNode c : s.get("cases")) {
                out.add(base.resolve(c.asText()));
            }
        }
        return out;
    }
}
