package dev.groundingdino.internal.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-to-file raw forward with a Hub checkpoint and with an original {@code .pth}. */
class RawForwardFilesTest {
    @TempDir
    Path tmp;

    @Test
    void hubCheckpointOnAGoldenInputsFileWritesTransformersOutputs() {
        Path inputs = HfGolden.caseTensors(HfGolden.MM, "batch2"); // holds the inputs next to the outputs
        Path out = tmp.resolve("out.safetensors");
        try (LoadedGroundingDino model = RawForwardFiles.load(HfGolden.model(HfGolden.MM), null)) {
            RawForwardFiles.run(model, HfGolden.CPU, inputs, out);
        }
        Map<String, GoldenTensors.Entry> written = GoldenTensors.read(out);
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(inputs);
        assertThat(written.keySet()).containsExactly("pred_boxes", "pred_logits");
        assertThat(written.get("pred_logits").dtype()).isEqualTo("F32");
        double logits = maxFinite(written.get("pred_logits"), golden.get("logits"));
        double boxes = maxFinite(written.get("pred_boxes"), golden.get("pred_boxes"));
        System.out.printf("forward files (MM batch2): logits %.3e, boxes %.3e%n", logits, boxes);
        assertThat(logits).isLessThanOrEqualTo(1e-4);
        assertThat(boxes).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void originalPthWithItsConfigGivesTheRawForwardOfThatModel() {
        Path suite = Golden.gdinoSuite();
        Path inputs = tmp.resolve("in.safetensors");
        // only the required inputs: no pixel_mask, attention_mask, token_type_ids
        try (StateDict golden = StateDict.read(HfGolden.caseTensors(HfGolden.GDINO, "truck_small"));
                PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("pixel_values", golden.get("pixel_values"));
            in.put("input_ids", golden.get("input_ids"));
            SafetensorsWriter.write(inputs, in, Map.of());
        }
        Path out = tmp.resolve("out.safetensors");
        try (LoadedGroundingDino model = RawForwardFiles.load(suite.resolve("gdino.pth"),
                suite.resolve("config.json"))) {
            RawForwardFiles.run(model, HfGolden.CPU, inputs, out);
            try (InferenceScope scope = InferenceScope.open(); StateDict in = StateDict.read(inputs)) {
                GroundingDINO.Output direct = RawForward.forward(model.model(), HfGolden.CPU,
                        new RawForward.Inputs(in.get("pixel_values"), null, in.get("input_ids"), null, null), null);
                Map<String, GoldenTensors.Entry> written = GoldenTensors.read(out);
                assertThat(HfGolden.maxError("pred_logits", direct.predLogits(), written.get("pred_logits")))
                        .isZero();
                assertThat(HfGolden.maxError("pred_boxes", direct.predBoxes(), written.get("pred_boxes"))).isZero();
            }
        }
    }

    @Test
    void missingOrMalformedInputsAreNamed() {
        Path noIds = tmp.resolve("no-ids.safetensors");
        Path badMask = tmp.resolve("bad-mask.safetensors");
        try (StateDict golden = StateDict.read(HfGolden.caseTensors(HfGolden.GDINO, "catdog_small"));
                PointerScope scope = new PointerScope()) {
            SafetensorsWriter.write(noIds, Map.of("pixel_values", golden.get("pixel_values")), Map.of());
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("pixel_values", golden.get("pixel_values"));
            in.put("input_ids", golden.get("input_ids"));
            in.put("pixel_mask", golden.get("pixel_mask").narrow(1, 0, 10));
            SafetensorsWriter.write(badMask, in, Map.of());
        }
        try (LoadedGroundingDino model = RawForwardFiles.load(HfGolden.model(HfGolden.GDINO), null)) {
            assertThatThrownBy(() -> RawForwardFiles.run(model, HfGolden.CPU, noIds, tmp.resolve("o1.safetensors")))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("has no 'input_ids'");
            assertThatThrownBy(() -> RawForwardFiles.run(model, HfGolden.CPU, badMask, tmp.resolve("o2.safetensors")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pixel_mask must be (batch, height, width) = (1, 320, 427)");
        }
    }

    private static double maxFinite(GoldenTensors.Entry a, GoldenTensors.Entry b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        double[] x = a.asDoubles();
        double[] y = b.asDoubles();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isInfinite(x[i]) || Double.isInfinite(y[i])) {
                assertThat(x[i]).isEqualTo(y[i]);
                continue;
            }
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
