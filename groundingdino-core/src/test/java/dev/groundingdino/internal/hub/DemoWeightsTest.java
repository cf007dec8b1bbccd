package dev.groundingdino.internal.hub;

import dev.groundingdino.ImageInput;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.Detection;
import dev.groundingdino.Prompt;
import dev.groundingdino.RawOutputs;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import java.util.Arrays;
import java.util.List;
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
            ImageInput image = ImageInput.of(Golden.file("images/cat_dog.jpeg"));
            DetectionResult r = demo.detect(image, "cat . dog");
            // exactly the queries whose best token probability passes the box threshold, computed here from the raw
            // outputs (an independent re-statement of predict()'s first rule), in query order
            RawOutputs raw = demo.rawOutputs(image, Prompt.text("cat . dog"));
            float[] logits = raw.logits();
            List<Integer> expected = new java.util.ArrayList<>();
            for (int q = 0; q < raw.queries(); q++) {
                float best = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < raw.textSlots(); t++) {
                    best = Math.max(best, logits[q * raw.textSlots() + t]);
                }
                if (1.0f / (1.0f + (float) Math.exp(-best)) > (float) Detector.DEFAULT_BOX_THRESHOLD) {
                    expected.add(q);
                }
            }
            assertThat(r.detections()).extracting(Detection::queryIndex).containsExactlyElementsOf(expected);
            assertThat(expected).as("the random weights find some boxes, not all").isNotEmpty()
                    .hasSizeLessThan(demo.numQueries());
            // deterministic: the same seed gives the same detections
            try (Detector again = Detector.demo()) {
                assertThat(again.detect(image, "cat . dog")).isEqualTo(r);
            }
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
