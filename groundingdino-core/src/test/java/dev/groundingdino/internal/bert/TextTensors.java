package dev.groundingdino.internal.bert;

import static org.bytedeco.pytorch.global.torch.tensor;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.testing.GoldenTensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Test helpers shared by the text-side tests (bert, fusion, text enhancer): golden entries to tensors, tensors to
 * Java arrays, error measures, and random parameter sets built from a module's own declaration.
 */
public final class TextTensors {
    /** The reference's hard limit on text tokens; model-side golden tensors have n = min(tokens, 256). */
    public static final int MAX_TEXT_LEN = 256;

    private TextTensors() {}

    /** A golden entry as a tensor (F32 -> float, I64 -> long, BOOL/U8 -> bool). */
    public static Tensor toTensor(GoldenTensors.Entry e) {
        return switch (e.dtype()) {
            case "F32" -> tensor(e.asFloats()).reshape(e.shape());
            case "I64" -> tensor(e.asLongs()).reshape(e.shape());
            case "BOOL", "U8" -> tensor(e.asLongs()).reshape(e.shape()).to(ScalarType.Bool);
            default -> throw new IllegalArgumentException("unsupported golden dtype " + e.dtype());
        };
    }

    /**
     * A golden tokenizer-side tensor cut to the model's text length along every token axis (dims >= 1), like
     * GroundingDINO does before BERT.
     */
    public static Tensor textInput(GoldenTensors.Entry e) {
        Tensor t = toTensor(e);
        for (int d = 1; d < t.dim(); d++) {
            if (t.size(d) > MAX_TEXT_LEN) {
                t = t.narrow(d, 0, MAX_TEXT_LEN);
            }
        }
        return t;
    }

    public static float[] floats(Tensor t) {
        return dev.groundingdino.testing.TensorValues.floats(t);
    }

    /** Max |a - b|; NaN if a NaN appears on either side. Lengths must agree. */
    public static double maxAbsDiff(float[] a, float[] b) {
        return dev.groundingdino.testing.TensorValues.maxAbsDiff(a, b);
    }

    /** Max |a - b| over double references. */
    public static double maxAbsDiff(float[] a, double[] b) {
        return dev.groundingdino.testing.TensorValues.maxAbsDiff(a, b);
    }

    /**
     * Random float values for every parameter a module declares (from its declare-mode pass), drawn from
     * {@code rnd}: names ending in {@code weight} of 2-D shape get N(0, 1/fan_in), 1-D LayerNorm weights
     * 1 + 0.1 N(0,1), everything else 0.1 N(0,1) unless {@code override} supplies a generator for that name.
     */
    public static Map<String, float[]> randomParams(Map<String, long[]> declared, Random rnd,
            Function<String, Double> stdOverride) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : declared.entrySet()) {
            long[] s = e.getValue();
            int n = 1;
            for (long d : s) {
                n *= (int) d;
            }
            float[] v = new float[n];
            Double std = stdOverride == null ? null : stdOverride.apply(e.getKey());
            boolean matrix = s.length == 2;
            boolean lnWeight = s.length == 1 && e.getKey().endsWith("weight");
            for (int i = 0; i < n; i++) {
                double g = rnd.nextGaussian();
                if (std != null) {
                    v[i] = (float) (std * g);
                } else if (matrix) {
                    v[i] = (float) (g / Math.sqrt(s[1]));
                } else if (lnWeight) {
                    v[i] = (float) (1 + 0.1 * g);
                } else {
                    v[i] = (float) (0.1 * g);
                }
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** A loading tree over float arrays (tensors created now, outside any scope, shaped as declared). */
    public static ParamTree loadTree(Map<String, long[]> declared, Map<String, float[]> values) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : declared.entrySet()) {
            tensors.put(e.getKey(), tensor(values.get(e.getKey())).reshape(e.getValue()));
        }
        return ParamTree.load(name -> {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no test tensor " + name);
            }
            return t;
        });
    }

    /** A float tensor of the given shape from a flat array (copied). */
    public static Tensor floatTensor(float[] values, long... shape) {
        return tensor(values).reshape(shape);
    }

    /** A bool tensor of the given shape from a flat array. */
    public static Tensor boolTensor(boolean[] values, long... shape) {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = values[i] ? 1 : 0;
        }
        return tensor(l).reshape(shape).to(ScalarType.Bool);
    }

    public static float[] gaussian(Random rnd, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * rnd.nextGaussian());
        }
        return v;
    }
}
