package dev.groundingdino.sam.internal.sam2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import java.util.List;

/** Where the SAM 2.1 golden data lives ({@code shared/golden/sam2}); skips or fails like {@link Golden}. */
final class Sam2Golden {
    static final List<String> CASES = List.of("truck", "groceries");

    private Sam2Golden() {}

    /** {@code sam2/sam2.1-tiny_seed0}. */
    static Path suite() {
        return Golden.file("sam2/sam2.1-tiny_seed0");
    }

    static Path checkpoint() {
        return Golden.file("sam2/sam2.1-tiny_seed0/sam2.1_tiny.pt");
    }

    static Path caseDir(String name) {
        return suite().resolve("cases").resolve(name);
    }

    static JsonNode caseJson(String name) {
        return Golden.json(caseDir(name).resolve("case.json"));
    }

    static Path image(JsonNode caseJson) {
        return Golden.file("images/" + caseJson.get("image").asText());
    }

    static JsonNode manifest(String variant) {
        return Golden.json(Golden.file("sam2/manifests/sam2.1_hiera_" + variant + ".json"));
    }

    static JsonNode config() {
        return Golden.json(suite().resolve("config.json"));
    }
}
