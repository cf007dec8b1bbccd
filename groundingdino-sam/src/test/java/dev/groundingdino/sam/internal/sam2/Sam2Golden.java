package dev.groundingdino.sam.internal.sam2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import java.util.List;

/** Where the SAM 2.1 golden data lives ({@code shared/golden/sam2}); skips or fails like {@link Golden}. */
public final class Sam2Golden {
    public static final List<String> CASES = List.of("truck", "groceries");

    private Sam2Golden() {}

    /** {@code sam2/sam2.1-tiny_seed0}. */
    public static Path suite() {
        return Golden.file("sam2/sam2.1-tiny_seed0");
    }

    public static Path checkpoint() {
        return Golden.file("sam2/sam2.1-tiny_seed0/sam2.1_tiny.pt");
    }

    public static Path caseDir(String name) {
        return suite().resolve("cases").resolve(name);
    }

    public static JsonNode caseJson(String name) {
        return Golden.json(caseDir(name).resolve("case.json"));
    }

    public static Path image(JsonNode caseJson) {
        return Golden.file("images/" + caseJson.get("image").asText());
    }

    public static JsonNode manifest(String variant) {
        return Golden.json(Golden.file("sam2/manifests/sam2.1_hiera_" + variant + ".json"));
    }

    public static JsonNode config() {
        return Golden.json(suite().resolve("config.json"));
    }
}
