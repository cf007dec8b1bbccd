package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.testing.TensorValues;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * The bfloat16 Hiera trunk ({@link Precision#BF16}) against the float32 model on the golden truck image: the image
 * embedding and a box prediction's logits deviate by a small fraction of their magnitude, the outputs stay float32.
 */
class Sam2Bf16Test {
    @Test
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    void bf16TrunkStaysCloseToFloat32() {
        RgbImage image = ImageDecoder.read(Sam2Golden.image(Sam2Golden.caseJson("truck")));
        Sam2Prompt box = Sam2Prompt.box(425, 600, 700, 875);
        try (SAM2ImagePredictor fp32 = SAM2ImagePredictor.load(Sam2Golden.checkpoint(), Sam2Config.tiny(), Device.CPU,
                Precision.FP32);
                SAM2ImagePredictor bf16 = SAM2ImagePredictor.load(Sam2Golden.checkpoint(), Sam2Config.tiny(),
                        Device.CPU, Precision.BF16);
                Sam2ImageFeatures f32 = fp32.embed(image);
                Sam2ImageFeatures f16 = bf16.embed(image)) {
            double[] a = f32.use(f -> TensorValues.doubles(f.imageEmbed()));
            double[] b = f16.use(f -> {
                assertThat(f.imageEmbed().scalar_type().intern()).isEqualTo(ScalarType.Float);
                assertThat(f.highResFeat0().scalar_type().intern()).isEqualTo(ScalarType.Float);
                return TensorValues.doubles(f.imageEmbed());
            });
            double magnitude = TensorValues.maxAbsDiff(a, new double[a.length]);
            double embedRel = TensorValues.maxAbsDiff(a, b) / magnitude;

            float[] l32 = fp32.predict(f32, box, true).lowResLogits();
            float[] l16 = bf16.predict(f16, box, true).lowResLogits();
            double logitMagnitude = TensorValues.maxAbsDiff(l32, new float[l32.length]);
            double logitRel = TensorValues.maxAbsDiff(l32, l16) / logitMagnitude;
            System.out.printf("SAM2 BF16 trunk: image_embed max |bf16 - fp32| / max |fp32| = %.4f, low-res logits "
                    + "%.4f%n", embedRel, logitRel);
            assertThat(embedRel).isGreaterThan(0.0).isLessThan(0.03);
            assertThat(logitRel).isLessThan(0.05);
        }
    }
}
