package dev.groundingdino.internal.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** The Hugging Face golden models ({@code hf/<model>}) and helpers shared by this package's tests. */
final class HfGolden {
    static final String GDINO = "grounding-dino-tiny_seed0";
    static final String MM = "mm-grounding-dino-tiny_seed0";
    static final List<String> MODELS = List.of(GDINO, MM);
    static final List<String> CASES = List.of("catdog_small", "truck_small", "pano_official", "batch2");
    static final Device CPU = new Device("cpu");

    private HfGolden() {}

    /** The folder of golden model {@code model} (config.json + model.safetensors). */
    static Path model(String model) {
        return Golden.dir().resolve("hf").resolve(model);
    }

    /** The tensors file of a case. */
    static Path caseTensors(String model, String name) {
        return model(model).resolve("cases").resolve(name).resolve("tensors.safetensors");
    }

    /** The case's model inputs, views of {@code in} (read with {@code StateDict.read(caseTensors(...))}). */
    static RawForward.Inputs inputs(StateDict in) {
        return new RawForward.Inputs(in.get("pixel_values"), in.get("pixel_mask"), in.get("input_ids"),
                in.get("attention_mask"), in.get("token_type_ids"));
    }

    /** Runs the raw forward on a golden case with HF output names (in the caller's scope). */
    static Map<String, Tensor> run(GroundingDINO model, StateDict in) {
        return RawForward.forwardNamed(model, CPU, inputs(in));
    }

    /**
     * Max |actual - expected| over finite entries; fails if the shapes differ or the infinities (-inf text slots)
     * are not at the same places.
     */
    static double maxError(String name, Tensor actual, GoldenTensors.Entry expected) {
        assertThat(TensorValues.shape(actual)).as(name + " shape").isEqualTo(expected.shape());
        double[] a = TensorValues.doubles(actual);
        double[] e = expected.asDoubles();
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(e[i]) || !Double.isFinite(a[i])) {
                assertThat(a[i]).as(name + "[" + i + "] (golden " + e[i] + ")").isEqualTo(e[i]);
                continue;
            }
            max = Math.max(max, Math.abs(a[i] - e[i]));
        }
        return max;
    }

    /** Max |a - b| over two tensors of one shape (infinities must coincide). */
    static double maxDiff(Tensor a, Tensor b) {
        assertThat(TensorValues.shape(a)).isEqualTo(TensorValues.shape(b));
        double[] x = TensorValues.doubles(a);
        double[] y = TensorValues.doubles(b);
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                assertThat(x[i]).as("entry " + i).isEqualTo(y[i]);
                continue;
            }
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}
