package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.hf.HfCheckpoint;
import dev.groundingdino.internal.hf.RawForward;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.TensorValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face checkpoints through the public entry: {@link Detector#load} recognises the folder (and its
 * {@code model.safetensors}), and {@link Detector#rawOutputs} / {@link Detector#detect} with the library's own
 * preprocessing and tokenizer equal the raw forward on the same preprocessed inputs.
 */
class DetectorHubTest {
    @TempDir
    Path tmp;

    @Test
    void hubCheckpointsRunThroughTheDetectorLikeTheRawForward() {
        // the 2000 x 100 panorama: the library resizes it to 67 x 1333 (800/1333 rule), a quick forward pass
        Path image = Golden.dir().resolve("images/synth_pano_2000x100.png");
        String prompt = "Cat . dog";
        for (String model : List.of("grounding-dino-tiny_seed0", "mm-grounding-dino-tiny_seed0")) {
            Path folder = Golden.dir().resolve("hf").resolve(model);
            try (Detector detector = Detector.load(folder)) {
                assertThat(detector.variant()).contains("Hugging Face").contains(model);
                assertThat(detector.numQueries()).isEqualTo(30);
                RawOutputs raw = detector.rawOutputs(ImageInput.of(image), Prompt.text(prompt));
                float[] logits;
                float[] boxes;
                try (LoadedGroundingDino m = HfCheckpoint.load(folder, ScalarType.Float);
                        InferenceScope scope = InferenceScope.open()) {
                    Tensor pixels = GroundingDinoTransform.apply(ImageDecoder.read(image)).toTensor().unsqueeze(0);
                    long[] ids = CaptionEncoder.encode(prompt).inputIds();
                    Tensor inputIds = tensor(ids).view(1, ids.length); // (1, n)
                    GroundingDINO.Output out = RawForward.forward(m.model(), new Device("cpu"),
                            new RawForward.Inputs(pixels, null, inputIds, null, null), null);
                    logits = TensorValues.floats(out.predLogits());
                    boxes = TensorValues.floats(out.predBoxes());
                }
                double logitError = maxFinite(raw.logits(), logits);
                double boxError = maxFinite(raw.boxes(), boxes);
                System.out.printf("%s: Detector.rawOutputs vs raw forward on the same inputs: logits %.3e, boxes "
                        + "%.3e%n", model, logitError, boxError);
                assertThat(logitError).isLessThanOrEqualTo(1e-6);
                assertThat(boxError).isLessThanOrEqualTo(1e-7);

                double best = 0; // the best query's score: thresholds just below it keep at least that query
                for (float l : raw.logits()) {
                    best = Math.max(best, 1 / (1 + Math.exp(-l)));
                }
                try (Detector low = detector.withThresholds(best * 0.9, best * 0.9)) {
                    DetectionResult result = low.detect(ImageInput.of(image), prompt);
                    assertThat(result.width()).isEqualTo(2000);
                    assertThat(result.height()).isEqualTo(100);
                    assertThat(result.caption()).isEqualTo("cat . dog.");
                    assertThat(result.detections()).isNotEmpty();
                    for (Detection d : result.detections()) { // each detection is its query's raw box
                        int q = d.queryIndex();
                        assertThat(d.normalizedBox().cx()).isEqualTo(boxes[q * 4], within(1e-7));
                        assertThat(d.normalizedBox().h()).isEqualTo(boxes[q * 4 + 3], within(1e-7));
                        assertThat(d.score()).isGreaterThan(best * 0.9);
                    }
                }
            }
        }
        // the weights file with config.json beside it is recognised as well
        try (Detector byFile = Detector.load(Golden.dir().resolve("hf/grounding-dino-tiny_seed0/model.safetensors"))) {
            assertThat(byFile.variant()).contains("Hugging Face");
        }
    }

    @Test
    void aHubWeightsFileWithoutItsConfigIsNamed() throws IOException {
        Path lone = Files.copy(Golden.dir().resolve("hf/grounding-dino-tiny_seed0/model.safetensors"),
                tmp.resolve("weights.safetensors"));
        assertThatThrownBy(() -> Detector.load(lone)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is a Hugging Face layout checkpoint")
                .hasMessageContaining("config.json");
        Path folder = Files.createDirectories(tmp.resolve("no-config"));
        Files.copy(lone, folder.resolve("model.safetensors"));
        assertThatThrownBy(() -> Detector.load(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("has model.safetensors but no config.json");
    }

    private static double maxFinite(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isInfinite(a[i]) || Float.isInfinite(b[i])) {
                assertThat(a[i]).isEqualTo(b[i]);
                continue;
            }
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
