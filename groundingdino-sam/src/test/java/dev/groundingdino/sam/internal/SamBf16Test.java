package dev.groundingdino.sam.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.SamTransform;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.TensorValues;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * The image encoder with bfloat16 blocks ({@code SamCheckpoint.load(path, BFloat16)}) against the float32 encoder on
 * the golden truck image: the deviation of the image embedding, relative to its largest magnitude.
 */
class SamBf16Test {
    @Test
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    void bf16EmbeddingStaysWithinTwoPercentOfFloat32() {
        Path suite = Golden.samSuite();
        JsonNode caseJson = Golden.json(suite.resolve("cases/truck/case.json"));
        PixelTensor pixels = SamTransform.apply(ImageDecoder.read(Golden.dir().resolve(caseJson.get("image")
                .asText())));
        try (SamCheckpoint fp32 = SamCheckpoint.load(suite.resolve("sam.safetensors"));
                SamCheckpoint bf16 = SamCheckpoint.load(suite.resolve("sam.safetensors"), ScalarType.BFloat16);
                InferenceScope scope = InferenceScope.open()) {
            Tensor e32 = fp32.sam().embed(pixels.toTensor());
            Tensor e16 = bf16.sam().embed(pixels.toTensor());
            assertThat(e16.scalar_type().intern()).isEqualTo(ScalarType.Float); // the neck and output stay float32
            double[] a = TensorValues.doubles(e32);
            double[] b = TensorValues.doubles(e16);
            double magnitude = TensorValues.maxAbsDiff(a, new double[a.length]);
            double relative = TensorValues.maxAbsDiff(a, b) / magnitude;
            System.out.printf("image embedding: max |bf16 - fp32| / max |fp32| = %.4f (max |fp32| %.3f)%n", relative,
                    magnitude);
            assertThat(relative).isGreaterThan(0.0).isLessThan(0.02);
        }
    }

    @Test
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    void bf16LoadingGivesTheSameModelFromPthSafetensorsMemoryAndAnyMappingChunk() {
        Path suite = Golden.samSuite();
        PixelTensor pixels = SamTransform.apply(ImageDecoder.read(Golden.dir().resolve(Golden.json(
                suite.resolve("cases/truck/case.json")).get("image").asText())));
        try (SamCheckpoint whole = SamCheckpoint.load(suite.resolve("sam.safetensors"), ScalarType.BFloat16);
                SamCheckpoint pth = SamCheckpoint.load(suite.resolve("sam.pth"), ScalarType.BFloat16, 1);
                SamCheckpoint memory = SamCheckpoint.of(StateDict.read(suite.resolve("sam.safetensors")),
                        ScalarType.BFloat16);
                InferenceScope scope = InferenceScope.open()) {
            // one tensor per mapping of the .pth file against one mapping of the safetensors file
            double[] a = TensorValues.doubles(whole.sam().embed(pixels.toTensor()));
            double[] b = TensorValues.doubles(pth.sam().embed(pixels.toTensor()));
            assertThat(TensorValues.maxAbsDiff(a, b)).isZero();
            double[] c = TensorValues.doubles(memory.sam().embed(pixels.toTensor()));
            assertThat(TensorValues.maxAbsDiff(a, c)).isZero();
        }
    }
}
