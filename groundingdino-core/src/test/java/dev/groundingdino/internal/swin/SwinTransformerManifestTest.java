package dev.groundingdino.internal.swin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.backbone.BackboneTestSupport;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.testing.Golden;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Declare mode: the presets name exactly the {@code backbone.0.*} tensors of the real checkpoints, in order. */
class SwinTransformerManifestTest {

    @Test
    void swinT224DeclaresTheSwinTOgcBackboneKeys() {
        assertMatches(SwinConfig.swinT224(), Golden.json(Golden.file("manifests/groundingdino_swint_ogc.json")).get("state_dict"));
    }

    @Test
    void swinB384DeclaresTheSwinBCogcoorBackboneKeys() {
        assertMatches(SwinConfig.swinB384(),
                Golden.json(Golden.file("manifests/groundingdino_swinb_cogcoor.json")).get("state_dict"));
    }

    @Test
    void tinyConfigDeclaresTheGoldenTinyBackboneKeys() {
        JsonNode config = Golden.json(Golden.gdinoSuite().resolve("config.json"));
        JsonNode swin = config.get("swin_effective");
        SwinConfig tiny = BackboneTestSupport.tinySwin();
        assertThat(tiny.embedDim()).isEqualTo(swin.get("embed_dim").asInt());
        assertThat(tiny.windowSize()).isEqualTo(swin.get("window_size").asInt());
        assertThat(tiny.depths().toString()).isEqualTo(swin.get("depths").toString().replace(",", ", "));
        assertThat(tiny.numHeads().toString()).isEqualTo(swin.get("num_heads").toString().replace(",", ", "));
        assertMatches(tiny, config.get("state_dict"));
    }

    private static void assertMatches(SwinConfig cfg, JsonNode stateDict) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stateDict.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("backbone.0.")) {
                expected.put(e.getKey(), e.getValue().get("shape").toString().replace(",", ", "));
            }
        }
        assertThat(expected).isNotEmpty();

        ParamTree root = ParamTree.declare();
        new SwinTransformer(cfg, root.child("backbone").child(0));
        Map<String, String> actual = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : root.declared().entrySet()) {
            actual.put(e.getKey(), java.util.Arrays.toString(e.getValue()));
        }
        assertThat(actual).containsExactlyEntriesOf(expected);
        List<String> order = new ArrayList<>(actual.keySet());
        assertThat(order).containsExactlyElementsOf(expected.keySet());
    }
}
