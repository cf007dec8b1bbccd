package dev.groundingdino.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.testing.Golden;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Strict key/shape matching and its single table of tolerated differences. */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
class StrictLoaderTest {
    /** A MEMORY state dict with zero tensors of the given shapes. */
    private static StateDict zeros(Map<String, long[]> shapes) {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            shapes.forEach((k, s) -> tensors.put(k, org.bytedeco.pytorch.global.torch.zeros(s)));
            return StateDict.of(tensors, Map.of());
        }
    }

    @Test
    void goldenCheckpointsMatchTheirManifests() {
        Map<String, long[]> gdino = Golden.shapes(Golden.json(Golden.gdinoSuite().resolve("config.json")).get("state_dict"));
        try (StateDict sd = StateDict.read(Golden.gdinoSuite().resolve("gdino.pth"))) {
            StrictLoader.Match m = StrictLoader.check(sd, gdino, "GroundingDINO tiny");
            assertThat(m.sources()).hasSize(gdino.size());
            assertThat(m.derived()).isEmpty();
            assertThat(m.get("feat_map.weight")).isSameAs(sd.get("feat_map.weight"));
        }
    }

    @Test
    void everyDifferenceIsReportedInOneException() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("a.weight", new long[] {4, 2});
        expected.put("b.weight", new long[] {3});
        expected.put("c.bias", new long[] {2});
        Map<String, long[]> actual = new LinkedHashMap<>();
        actual.put("a.weight", new long[] {2, 4});
        actual.put("c.bias", new long[] {2});
        actual.put("d.extra", new long[] {1});
        try (StateDict sd = zeros(actual)) {
            assertThatThrownBy(() -> StrictLoader.check(sd, expected, "Model-X"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("does not match Model-X")
                    .hasMessageContaining("1 missing, 1 unexpected, 1 with another shape")
                    .hasMessageContaining("b.weight [3]")
                    .hasMessageContaining("d.extra [1]")
                    .hasMessageContaining("a.weight: checkpoint [2, 4], expected [4, 2]");
        }
    }

    @Test
    void longListsAreTruncated() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            expected.put("layer" + i + ".w", new long[] {1});
        }
        try (StateDict sd = zeros(Map.of("other", new long[] {1}))) {
            assertThatThrownBy(() -> StrictLoader.check(sd, expected, "Big"))
                    .hasMessageContaining("missing (100)")
                    .hasMessageContaining("... and 75 more")
                    .hasMessageNotContaining("layer99.w");
        }
    }

    @Test
    void modulePrefixAliasesAndDerivedBuffersAreTolerated() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("bbox_embed.0.layers.0.weight", new long[] {2, 2});
        expected.put("transformer.decoder.bbox_embed.0.layers.0.weight", new long[] {2, 2});
        expected.put("backbone.0.layers.0.blocks.0.attn.relative_position_index", new long[] {49, 49});
        expected.put("bert.embeddings.position_ids", new long[] {1, 512});
        expected.put("x", new long[] {3});
        Map<String, long[]> actual = new LinkedHashMap<>();
        actual.put("module.transformer.decoder.bbox_embed.0.layers.0.weight", new long[] {2, 2});
        actual.put("module.x", new long[] {3});
        actual.put("module.backbone.0.layers.1.blocks.0.attn.relative_position_index", new long[] {49, 49});
        try (StateDict sd = zeros(actual)) {
            StrictLoader.Match m = StrictLoader.check(sd, expected, "T");
            assertThat(m.sourceKey("bbox_embed.0.layers.0.weight"))
                    .isEqualTo("module.transformer.decoder.bbox_embed.0.layers.0.weight");
            assertThat(m.sourceKey("x")).isEqualTo("module.x");
            assertThat(m.isDerived("backbone.0.layers.0.blocks.0.attn.relative_position_index")).isTrue();
            assertThat(m.isDerived("bert.embeddings.position_ids")).isTrue();
            assertThat(m.get("x")).isSameAs(sd.get("module.x"));
            assertThatThrownBy(() -> m.get("bert.embeddings.position_ids")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("compute");
        }
        // an alias with the wrong shape is still a mismatch; a non-derived missing key is still missing
        Map<String, long[]> wrong = new LinkedHashMap<>();
        wrong.put("bbox_embed.0.layers.0.weight", new long[] {2, 2});
        wrong.put("transformer.decoder.bbox_embed.0.layers.0.weight", new long[] {2, 3});
        try (StateDict sd = zeros(wrong)) {
            assertThatThrownBy(() -> StrictLoader.check(sd, Map.of("bbox_embed.0.layers.0.weight", new long[] {2, 2}),
                    "T")).hasMessageContaining("alias of 'bbox_embed.0.layers.0.weight'");
        }
        try (StateDict sd = zeros(Map.of("enc_out_bbox_embed.layers.0.weight", new long[] {2, 2}))) {
            assertThatThrownBy(() -> StrictLoader.check(sd, Map.of("bbox_embed.0.layers.0.weight", new long[] {2, 2}),
                    "T")).hasMessageContaining("1 missing, 1 unexpected");
        }
        try (StateDict sd = zeros(Map.of("module.x", new long[] {1}, "x", new long[] {1}))) {
            assertThatThrownBy(() -> StrictLoader.check(sd, Map.of("x", new long[] {1}), "T"))
                    .hasMessageContaining("twice");
        }
    }

    @Test
    void theReleasesTrainingOnlyLabelEmbeddingIsIgnoredButNothingElse() {
        Map<String, long[]> expected = Map.of("x", new long[] {3});
        Map<String, long[]> actual = new LinkedHashMap<>();
        actual.put("x", new long[] {3});
        actual.put("label_enc.weight", new long[] {2001, 256});
        try (StateDict sd = zeros(actual)) {
            assertThat(StrictLoader.check(sd, expected, "T").sourceKey("x")).isEqualTo("x");
        }
        Map<String, long[]> other = new LinkedHashMap<>();
        other.put("x", new long[] {3});
        other.put("transformer.label_enc.weight", new long[] {2001, 256});
        try (StateDict sd = zeros(other)) {
            assertThatThrownBy(() -> StrictLoader.check(sd, expected, "T"))
                    .hasMessageContaining("1 unexpected").hasMessageContaining("transformer.label_enc.weight");
        }
    }
}
