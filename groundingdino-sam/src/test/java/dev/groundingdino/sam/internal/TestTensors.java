package dev.groundingdino.sam.internal;

import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** The SAM golden files as libtorch tensors (array conversions are {@link TensorValues}'). */
final class TestTensors {
    private TestTensors() {}

    /**
     * Every F32 tensor of a safetensors file as a libtorch tensor created OUTSIDE any scope (the caller closes
     * them), read with the independent golden reader.
     */
    static Map<String, Tensor> readFloatTensors(Path safetensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, GoldenTensors.Entry> e : GoldenTensors.read(safetensors).entrySet()) {
            out.put(e.getKey(), TensorValues.tensor(e.getValue().asFloats(), e.getValue().shape()));
        }
        return out;
    }
}
