package dev.groundingdino.bench;

import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import dev.groundingdino.internal.weights.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A full-size GroundingDINO checkpoint file with seeded random weights ({@link RandomWeights}), written like a
 * downloaded {@code .safetensors} release so that benchmarks can load it through the public {@code Detector} API.
 */
final class FullSizeCheckpoint {
    private FullSizeCheckpoint() {}

    /**
     * Writes every trained tensor of {@code cfg} (float32, seed 42) to a new temporary {@code .safetensors} file
     * (~690 MB for Swin-T OGC); the caller deletes it.
     */
    static Path write(GroundingDinoConfig cfg) throws IOException {
        Natives.ensureLoaded();
        Path file = Files.createTempFile("gdino-bench-" + cfg.name().replaceAll("[^A-Za-z0-9-]", "-"), ".safetensors");
        Map<String, long[]> shapes = new LinkedHashMap<>(GroundingDINO.declaredParameters(cfg));
        shapes.keySet().removeIf(name -> name.startsWith("transformer.decoder.bbox_embed.") // alias of bbox_embed
                || name.endsWith("relative_position_index") || name.endsWith("embeddings.position_ids")); // derived
        try (StateDict weights = RandomWeights.stateDict(shapes, 42, ScalarType.Float)) {
            SafetensorsWriter.write(file, weights, Map.of("format", "pt"));
        }
        return file;
    }
}
