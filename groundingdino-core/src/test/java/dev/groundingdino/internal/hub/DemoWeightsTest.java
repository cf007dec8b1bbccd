package dev.groundingdino.internal.hub;

import dev.groundingdino.ImageInput;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The random-weight demo model: deterministic, complete, loadable, and it produces a few boxes at the defaults. */
class DemoWeightsTest {

    @Test
    void generatesEveryParameterOfTheTinyConfigDeterministically() {
        try (StateDict a = DemoWeights.generate(7); StateDict b = DemoWeights.generate(7);
                StateDict c = DemoWeights.generate(8)) {
            assertThat(a.names()).containsExactlyElementsOf(GroundingDINO.declaredParameters(DemoWeights.config())
                    .keySet());
            String name = "transformer.decoder.layers.0.linear1.weight";
            float[] va = floats(a, name);
            assertThat(va).containsExactly(floats(b, name));
            assertThat(Arrays.equals(va, floats(c, name))).isFalse();
            float[] norm = floats(a, "backbone.0.norm1.weight");
            assertThat(norm[0]).isBetween(0.8f, 1.2f);
            long[] index = longs(a, "backbone.0.layers.0.blocks.0.attn.relative_position_index");
            assertThat(index[0]).isEqualTo(6L * 13 + 6); // (dy + 6) * 13 + (dx + 6) at dy = dx = 0
        }
    }

    @Test
    void theDemoDetectorRunsEndToEndAndFindsAFewRandomBoxes() {
        try (Detector demo = Detector.demo()) {
            assertThat(demo.isDemo()).isTrue();
            assertThat(demo.variant()).contains("demo");
            DetectionResult r = demo.detect(ImageInput.of(Golden.file("images/cat_dog.jpeg")), "cat . dog");
            for (Detection d : r.detections()) {
                System.out.println(d);
            }
            assertThat(r.size()).isBetween(1, demo.numQueries() - 1);
        }
    }

    private static float[] floats(StateDict sd, String name) {
        var t = sd.get(name).contiguous();
        float[] out = new float[(int) sd.numel(name)];
        t.data_ptr_float().get(out);
        return out;
    }

    private static long[] longs(StateDict sd, String name) {
        var t = sd.get(name).contiguous();
        long[] out = new long[(int) sd.numel(name)];
        t.data_ptr_long().get(out);
        return out;
    }
}
