package dev.groundingdino.internal.groundingdino;

import static dev.groundingdino.internal.deformable.TensorArrays.doubles;
import static dev.groundingdino.internal.deformable.TensorArrays.longs;
import static dev.groundingdino.testing.TensorValues.shape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * End-to-end golden test of the tiny GroundingDINO ({@code gdino/tiny_seed0}): for every case the model runs from
 * the image file and the raw caption, and every fingerprinted stage plus the full stored tensors are compared.
 * The measured maximum errors are printed per tensor.
 */
class GroundingDinoGoldenTest {
    /** Per-stage tolerance (absolute, relative) for the fingerprint samples and full tensors. */
    private static final Map<String, double[]> TOLERANCE = new LinkedHashMap<>();

    static {
        // about 10x the errors measured against the reference run (torch 1.13, OpenBLAS, 2 threads); the issue's
        // targets for the outputs: pred_logits <= 1e-4 and pred_boxes <= 1e-5 absolute
        tol("backbone_level", 2e-5, 1e-5);
        tol("backbone_mask", 0, 0);
        tol("src", 2e-5, 1e-5);
        tol("pos", 1e-6, 0);
        tol("bert_last_hidden_state", 1e-5, 0);
        tol("encoded_text_in", 1e-5, 0);
        tol("enc", 5e-5, 1e-5);
        tol("memory", 5e-5, 1e-5);
        tol("output_memory", 5e-5, 1e-5);
        tol("enc_outputs_class", 5e-4, 1e-5);
        tol("enc_out_bbox_delta", 1e-5, 1e-5);
        tol("output_proposals", 1e-6, 0);
        tol("topk_logits", 5e-4, 1e-5);
        tol("ref", 1e-5, 0);
        tol("dec", 5e-5, 1e-5);
        tol("hs", 5e-5, 1e-5);
        tol("pred_logits", 1e-4, 0);
        tol("pred_boxes", 1e-5, 0);
    }

    private static LoadedGroundingDino model;

    @BeforeAll
    static void load() {
        model = GoldenModel.load();
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @TestFactory
    List<DynamicTest> everyStageMatchesTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : Golden.gdinoCases()) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkCase(dir)));
        }
        return tests;
    }

    private static void checkCase(Path dir) {
        JsonNode c = Golden.json(dir.resolve("case.json"));
        Map<String, GoldenTensors.Entry> stored = GoldenTensors.read(dir.resolve("tensors.safetensors"));
        Map<String, Double> errors = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor image = GroundingDinoTransform.apply(ImageDecoder.read(Golden.dir().resolve(c.get("image").asText())))
                    .toTensor();
            TextBatch text = TextBatch.of(List.of(CaptionEncoder.encode(c.get("caption_raw").asText())));
            Map<String, Tensor> trace = new LinkedHashMap<>();
            model.model().forward(NestedTensor.fromTensorList(List.of(image)), text, trace::put);

            JsonNode fps = c.get("fingerprints");
            for (var it = fps.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                if (name.equals("resized_rgb_uint8") || name.equals("image_tensor")) {
                    continue; // preprocessing: tested by the image package
                }
                Tensor t = trace.get(name);
                if (t == null) {
                    failures.add(name + ": not traced");
                    continue;
                }
                double[] tol = tolerance(name);
                try {
                    errors.put("fp " + name, Fingerprint.of(e.getValue()).check(name, shape(t), doubles(t), tol[0],
                            tol[1]));
                } catch (AssertionError err) {
                    failures.add(err.getMessage());
                }
            }
            for (String name : List.of("bert_last_hidden_state", "encoded_text_in", "enc0_fusion_l", "enc0_text",
                    "enc1_fusion_l", "enc1_text", "memory_text", "topk_logits", "ref0", "ref1", "ref2", "hs0", "hs1",
                    "pred_logits", "pred_boxes")) {
                compareFull(name, trace.get(name), stored.get(name), errors, failures);
            }
            long[] expectedTopk = stored.get("topk_proposals").asLongs();
            long[] actualTopk = longs(trace.get("topk_proposals"));
            if (!Arrays.equals(expectedTopk, actualTopk)) {
                failures.add("topk_proposals " + Arrays.toString(actualTopk) + " != golden "
                        + Arrays.toString(expectedTopk));
            }
        }
        StringBuilder report = new StringBuilder(dir.getFileName() + " max abs errors:");
        errors.forEach((k, v) -> report.append(String.format("%n  %-28s %.3e", k, v)));
        System.out.println(report);
        assertThat(failures).as(dir.getFileName().toString()).isEmpty();
    }

    private static void compareFull(String name, Tensor actual, GoldenTensors.Entry expected, Map<String, Double> errors,
            List<String> failures) {
        if (actual == null || expected == null) {
            failures.add(name + ": missing (" + (actual == null ? "not traced" : "not stored") + ")");
            return;
        }
        if (!Arrays.equals(shape(actual), expected.shape())) {
            failures.add(name + ": shape " + Arrays.toString(shape(actual)) + " != " + Arrays.toString(expected.shape()));
            return;
        }
        double[] a = doubles(actual);
        double[] e = expected.asDoubles();
        double[] tol = tolerance(name);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(e[i]) || !Double.isFinite(a[i])) {
                if (Double.compare(e[i], a[i]) != 0) {
                    failures.add(name + "[" + i + "] = " + a[i] + ", golden " + e[i]);
                    return;
                }
                continue;
            }
            double err = Math.abs(a[i] - e[i]);
            max = Math.max(max, err);
            if (err > tol[0] + tol[1] * Math.abs(e[i])) {
                failures.add(name + "[" + i + "] = " + a[i] + ", golden " + e[i] + " (|err| " + err + ")");
                return;
            }
        }
        errors.put("full " + name, max);
    }

    private static double[] tolerance(String name) {
        double[] best = null;
        int bestLen = -1;
        for (Map.Entry<String, double[]> e : TOLERANCE.entrySet()) {
            if (name.startsWith(e.getKey()) && e.getKey().length() > bestLen) {
                best = e.getValue();
                bestLen = e.getKey().length();
            }
        }
        if (best == null) {
            throw new AssertionError("no tolerance for " + name);
        }
        return best;
    }

    private static void tol(String prefix, double atol, double rtol) {
        TOLERANCE.put(prefix, new double[] {atol, rtol});
    }
}
