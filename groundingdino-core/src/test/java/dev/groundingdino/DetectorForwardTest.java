package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.GoldenTensors.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Detector#forward}: the raw forward on model inputs, file to file, against the upstream outputs of a Hub
 * checkpoint (transformers 5.17) and of an original {@code .pth} (the reference GroundingDINO code).
 */
class DetectorForwardTest {
    @TempDir
    Path tmp;

    private static Path hub(String model) {
        return Golden.dir().resolve("hf").resolve(model);
    }

    @Test
    void hubCheckpointOnAPaddedBatchGivesTransformersOutputs() {
        Path model = hub("mm-grounding-dino-tiny_seed0");
        Path inputs = model.resolve("cases/batch2/tensors.safetensors"); // holds the inputs beside the outputs
        Path out = tmp.resolve("out.safetensors");
        try (Detector detector = Detector.load(model)) {
            detector.forward(inputs, out);
        }
        Map<String, Entry> written = GoldenTensors.read(out);
        Map<String, Entry> golden = GoldenTensors.read(inputs);
        assertThat(written.keySet()).containsOnly("pred_logits", "pred_boxes");
        assertThat(written.get("pred_logits").dtype()).isEqualTo("F32");
        double logits = maxError(written.get("pred_logits"), golden.get("logits"));
        double boxes = maxError(written.get("pred_boxes"), golden.get("pred_boxes"));
        System.out.printf("Detector.forward (MM-GroundingDINO, batch2): logits %.3e, boxes %.3e%n", logits, boxes);
        assertThat(logits).isLessThanOrEqualTo(1e-4);
        assertThat(boxes).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void originalPthGivesTheReferenceOutputsFromTheRequiredInputsAlone() {
        Path suite = Golden.gdinoSuite();
        Map<String, Entry> golden = GoldenTensors.read(suite.resolve("cases/pano_cat-dog/tensors.safetensors"));
        Entry image = golden.get("image_tensor"); // (3, H, W), the reference's normalised image
        Map<String, Entry> in = new LinkedHashMap<>();
        in.put("pixel_values", GoldenTensors.reshaped(image, 1, image.shape()[0], image.shape()[1], image.shape()[2]));
        in.put("input_ids", golden.get("input_ids")); // no pixel_mask, attention_mask, token_type_ids
        Path inputs = tmp.resolve("in.safetensors");
        GoldenTensors.write(inputs, in);
        Path out = tmp.resolve("out.safetensors");
        try (Detector detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                .build()) {
            detector.forward(inputs, out);
        }
        Map<String, Entry> written = GoldenTensors.read(out);
        double logits = maxError(written.get("pred_logits"), golden.get("pred_logits"));
        double boxes = maxError(written.get("pred_boxes"), golden.get("pred_boxes"));
        System.out.printf("Detector.forward (.pth, panorama): logits %.3e, boxes %.3e%n", logits, boxes);
        assertThat(logits).isLessThanOrEqualTo(1e-4);
        assertThat(boxes).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void missingOrMalformedInputsAreNamed() throws Exception {
        Map<String, Entry> golden = GoldenTensors.read(
                hub("grounding-dino-tiny_seed0").resolve("cases/catdog_small/tensors.safetensors"));
        Path noIds = tmp.resolve("no-ids.safetensors");
        GoldenTensors.write(noIds, Map.of("pixel_values", golden.get("pixel_values")));
        Map<String, Entry> badMask = new LinkedHashMap<>();
        badMask.put("pixel_values", golden.get("pixel_values"));
        badMask.put("input_ids", golden.get("input_ids"));
        Entry mask = golden.get("pixel_mask");
        badMask.put("pixel_mask", GoldenTensors.reshaped(mask, 1, mask.shape()[2], mask.shape()[1]));
        Path bad = tmp.resolve("bad-mask.safetensors");
        GoldenTensors.write(bad, badMask);
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "not tensors");
        try (Detector detector = Detector.load(hub("grounding-dino-tiny_seed0"))) {
            Path out = tmp.resolve("o.safetensors");
            assertThatThrownBy(() -> detector.forward(noIds, out)).isInstanceOf(InvalidValueException.class)
                    .hasMessageContaining("has no 'input_ids'");
            assertThatThrownBy(() -> detector.forward(bad, out)).isInstanceOf(InvalidValueException.class)
                    .hasMessageContaining("pixel_mask must be (batch, height, width) = (1, 320, 427)");
            assertThatThrownBy(() -> detector.forward(tmp.resolve("absent.safetensors"), out))
                    .isInstanceOf(InvalidValueException.class).hasMessageContaining("inputs file not found");
            assertThatThrownBy(() -> detector.forward(text, out)).isInstanceOf(CheckpointException.class);
            assertThat(out).doesNotExist();
        }
    }

    /** Largest difference of the finite values; infinities must agree exactly. */
    static double maxError(Entry actual, Entry expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        double[] x = actual.asDoubles();
        double[] y = expected.asDoubles();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isInfinite(x[i]) || Double.isInfinite(y[i])) {
                assertThat(x[i]).as("element %d", i).isEqualTo(y[i]);
                continue;
            }
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
