package dev.groundingdino.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.ModelWeights;
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
 * {@code gdino forward} on a Hub checkpoint and an original {@code .pth} against the upstream outputs, and Hugging
 * Face models given to {@code --weights} as a folder or by name.
 */
class ForwardAndHubModelsTest {
    private static Path hub(String model) {
        return Golden.dir().resolve("hf").resolve(model);
    }

    @Test
    void forwardOnAHubFolderWritesTransformersOutputs(@TempDir Path tmp) {
        Path model = hub("grounding-dino-tiny_seed0");
        Path inputs = model.resolve("cases/batch2/tensors.safetensors");
        Path out = tmp.resolve("out.safetensors");
        CliRun run = CliRun.of("forward", "--weights", model.toString(), "--inputs", inputs.toString(),
                "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Entry> golden = GoldenTensors.read(inputs);
        Map<String, Entry> written = GoldenTensors.read(out);
        double logits = maxError(written.get("pred_logits"), golden.get("logits"));
        double boxes = maxError(written.get("pred_boxes"), golden.get("pred_boxes"));
        System.out.printf("gdino forward (Hub GroundingDINO, batch2): logits %.3e, boxes %.3e%n", logits, boxes);
        assertThat(logits).isLessThanOrEqualTo(1e-4);
        assertThat(boxes).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void forwardOnAnOriginalPthWithItsConfigGivesTheReferenceOutputs(@TempDir Path tmp) {
        Path suite = Golden.gdinoSuite();
        Map<String, Entry> golden = GoldenTensors.read(suite.resolve("cases/pano_cat-dog/tensors.safetensors"));
        Entry image = golden.get("image_tensor");
        Map<String, Entry> in = new LinkedHashMap<>();
        in.put("pixel_values", GoldenTensors.reshaped(image, 1, image.shape()[0], image.shape()[1], image.shape()[2]));
        in.put("input_ids", golden.get("input_ids"));
        in.put("attention_mask", golden.get("attention_mask"));
        in.put("token_type_ids", golden.get("token_type_ids"));
        Path inputs = tmp.resolve("in.safetensors");
        GoldenTensors.write(inputs, in);
        Path out = tmp.resolve("out.safetensors");
        CliRun run = CliRun.of("forward", "--weights", suite.resolve("gdino.pth").toString(), "--config",
                suite.resolve("config.json").toString(), "--inputs", inputs.toString(), "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Entry> written = GoldenTensors.read(out);
        assertThat(maxError(written.get("pred_logits"), golden.get("pred_logits"))).isLessThanOrEqualTo(1e-4);
        assertThat(maxError(written.get("pred_boxes"), golden.get("pred_boxes"))).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void forwardUsageErrorsNameTheFlag(@TempDir Path tmp) {
        CliRun noWeights = CliRun.of("forward", "--inputs", "in.safetensors", "--out", "o.safetensors");
        assertThat(noWeights.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(noWeights.err()).contains("--weights is required");
        CliRun noInputs = CliRun.of("forward", "--weights", "demo", "--inputs", tmp.resolve("x").toString(),
                "--out", "o.safetensors");
        assertThat(noInputs.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(noInputs.err()).contains("--inputs").contains("no such file");
        CliRun missingOut = CliRun.of("forward", "--weights", "demo", "--inputs", "x");
        assertThat(missingOut.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(missingOut.err()).contains("--out");
    }

    @Test
    void detectTakesAHubFolderWithNoOtherFlag() {
        CliRun run = CliRun.of("detect", "--weights", hub("mm-grounding-dino-tiny_seed0").toString(),
                "--image", Golden.file("images/cat_dog.jpeg").toString(), "--prompt", "cat . dog",
                "--box-threshold", "0.01");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Found");
    }

    @Test
    void aHubModelNameIsLookedUpInTheCacheAndExplainedWhenAbsent(@TempDir Path tmp) throws Exception {
        String previous = System.getProperty(ModelWeights.CACHE_PROPERTY);
        System.setProperty(ModelWeights.CACHE_PROPERTY, tmp.toString());
        try {
            String image = Golden.file("images/cat_dog.jpeg").toString();
            CliRun absent = CliRun.of("detect", "--weights", "llmdet_tiny", "--image", image, "--prompt", "cat");
            assertThat(absent.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
            assertThat(absent.err()).contains("iSEE-Laboratory/llmdet_tiny/resolve/main/model.safetensors")
                    .contains("--download");
            Path cached = tmp.resolve("llmdet_tiny"); // the tiny MM-GroundingDINO stands in for the real model
            Files.createDirectories(cached);
            for (String f : new String[] {"config.json", "model.safetensors"}) {
                Files.copy(hub("mm-grounding-dino-tiny_seed0").resolve(f), cached.resolve(f));
            }
            CliRun found = CliRun.of("detect", "--weights", "llmdet_tiny", "--image", image, "--prompt", "cat");
            assertThat(found.exitCode()).as(found.err()).isZero();
            CliRun models = CliRun.of("models");
            assertThat(models.exitCode()).isZero();
            assertThat(models.out()).contains("groundingdino_swint_ogc").contains("grounding-dino-tiny")
                    .contains("mm_grounding_dino_tiny_o365v1_goldg_v3det").contains("cached: " + cached)
                    .contains("https://huggingface.co/iSEE-Laboratory/llmdet_base");
            CliRun unknown = CliRun.of("detect", "--weights", "no-such-model", "--image", image, "--prompt", "cat");
            assertThat(unknown.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
            assertThat(unknown.err()).contains("gdino models");
        } finally {
            if (previous == null) {
                System.clearProperty(ModelWeights.CACHE_PROPERTY);
            } else {
                System.setProperty(ModelWeights.CACHE_PROPERTY, previous);
            }
        }
    }

    private static double maxError(Entry actual, Entry expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        double[] x = actual.asDoubles();
        double[] y = expected.asDoubles();
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
