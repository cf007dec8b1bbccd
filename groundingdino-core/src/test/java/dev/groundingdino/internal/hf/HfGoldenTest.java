package dev.groundingdino.internal.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.transformer.TransformerConfig;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.GoldenTensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden parity of the Hugging Face checkpoints ({@code hf/grounding-dino-tiny_seed0},
 * {@code hf/mm-grounding-dino-tiny_seed0}, made by transformers 5.17): the files are loaded through
 * {@link HfCheckpoint} onto the project's model classes and every case's stored inputs are fed to
 * {@link RawForward}; the final outputs and the stage boundaries (encoder text output, encoder proposals, query
 * selection, every decoder layer) are compared, so that a mismatch says where it starts. The measured maximum
 * errors are printed.
 */
class HfGoldenTest {
    /** Absolute tolerances: the targets for the outputs, about 10x the measured errors elsewhere. */
    private static final Map<String, Double> TOLERANCE = new LinkedHashMap<>();

    static {
        TOLERANCE.put("encoder_last_hidden_state_text", 2e-5);
        TOLERANCE.put("enc_outputs_coord_logits", 2e-5);
        TOLERANCE.put("encoder_logits", 1e-5);
        TOLERANCE.put("encoder_pred_boxes", 1e-5);
        TOLERANCE.put("init_reference_points", 1e-5);
        TOLERANCE.put("intermediate_hidden_states", 2e-5);
        TOLERANCE.put("intermediate_reference_points", 1e-5);
        TOLERANCE.put("last_hidden_state", 2e-5);
        TOLERANCE.put("logits", 1e-4);
        TOLERANCE.put("pred_boxes", 1e-5);
    }

    @TestFactory
    List<DynamicContainer> everyCaseOfBothModelsMatchesTransformers() {
        List<DynamicContainer> out = new ArrayList<>();
        for (String model : HfGolden.MODELS) {
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(DynamicTest.dynamicTest("all cases", () -> checkModel(model)));
            out.add(DynamicContainer.dynamicContainer(model, tests));
        }
        return out;
    }

    private static void checkModel(String name) {
        try (LoadedGroundingDino model = HfCheckpoint.load(HfGolden.model(name), ScalarType.Float)) {
            TransformerConfig t = model.config().transformer();
            assertThat(t.contrastiveBias()).isEqualTo(name.equals(HfGolden.MM));
            assertThat(t.boxLogit()).isEqualTo(TransformerConfig.BoxLogit.LOGIT_EPS_1E5);
            List<String> failures = new ArrayList<>();
            for (String c : HfGolden.CASES) {
                Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(HfGolden.caseTensors(name, c));
                StringBuilder report = new StringBuilder(name + " / " + c + " max abs errors:");
                try (InferenceScope scope = InferenceScope.open();
                        StateDict in = StateDict.read(HfGolden.caseTensors(name, c))) {
                    Map<String, Tensor> out = HfGolden.run(model.model(), in);
                    for (Map.Entry<String, Double> e : TOLERANCE.entrySet()) {
                        double err = HfGolden.maxError(e.getKey(), out.get(e.getKey()), golden.get(e.getKey()));
                        report.append(String.format("%n  %-32s %.3e (tolerance %.0e)", e.getKey(), err, e.getValue()));
                        if (!(err <= e.getValue())) {
                            failures.add(name + " / " + c + ": " + e.getKey() + " error " + err + " > " + e.getValue());
                        }
                    }
                }
                System.out.println(report);
            }
            assertThat(failures).isEmpty();
        }
    }
}
