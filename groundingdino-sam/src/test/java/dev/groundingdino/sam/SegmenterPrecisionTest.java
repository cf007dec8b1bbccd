package dev.groundingdino.sam;

import dev.groundingdino.OptionException;
import dev.groundingdino.Box;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.ImageInput;
import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.Precision;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link Segmenter.Builder} options: bfloat16 image encoding against the float32 segmenter on the golden truck case
 * (the float32 one matches the reference, see {@link SegmenterTest}), and the options it refuses.
 */
class SegmenterPrecisionTest {
    private static Path checkpoint() {
        return Golden.samSuite().resolve("sam.safetensors");
    }

    @Test
    void bf16MasksAgreeWithFloat32Masks() {
        Path caseDir = Golden.samSuite().resolve("cases/truck");
        JsonNode caseJson = Golden.json(caseDir.resolve("case.json"));
        Path image = Golden.dir().resolve(caseJson.get("image").asText());
        try (Segmenter fp32 = Segmenter.load(checkpoint());
                Segmenter bf16 = Segmenter.builder(checkpoint()).precision(Precision.BF16).build();
                ImageEmbedding e32 = fp32.embed(ImageInput.of(image));
                ImageEmbedding e16 = bf16.embed(ImageInput.of(image))) {
            assertThat(bf16.precision()).isEqualTo(Precision.BF16);
            assertThat(fp32.precision()).isEqualTo(Precision.FP32);
            assertThat(bf16.toString()).contains("BF16");
            int checked = 0;
            for (JsonNode p : caseJson.get("predictions")) {
                if (!p.has("box_xyxy") || p.get("box_xyxy").get(0).isArray()) {
                    continue; // single-box predictions only
                }
                JsonNode b = p.get("box_xyxy");
                Box box = new Box(b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble());
                boolean multimask = p.get("multimask_output").asBoolean();
                Segmentation s32 = fp32.segment(e32, MaskPrompt.of(box), multimask);
                Segmentation s16 = bf16.segment(e16, MaskPrompt.of(box), multimask);
                assertThat(s16.masks()).hasSameSizeAs(s32.masks());
                for (int j = 0; j < s32.masks().size(); j++) {
                    Mask a = s32.masks().get(j);
                    Mask c = s16.masks().get(j);
                    double iou = iou(a.bitmap().toBooleanArray(), c.bitmap().toBooleanArray());
                    double dIou = Math.abs(a.predictedIou() - c.predictedIou());
                    System.out.printf("%s mask %d: IoU(bf16, fp32) %.4f, areas %d / %d, |d predicted IoU| %.2g%n",
                            p.get("name").asText(), j, iou, a.area(), c.area(), dIou);
                    assertThat(iou).as("%s mask %d: IoU of the bf16 and fp32 masks", p.get("name").asText(), j)
                            .isGreaterThanOrEqualTo(0.99); // measured 0.997-0.998
                    assertThat(dIou).as("predicted IoU difference").isLessThan(2e-3); // measured <= 2.3e-4
                    checked++;
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void refusesFp16AndNegativeThreads() {
        assertThatThrownBy(() -> Segmenter.builder(checkpoint()).precision(Precision.FP16).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("Precision.BF16");
        assertThatThrownBy(() -> Segmenter.builder(checkpoint()).threads(-1).build())
                .isInstanceOf(OptionException.class).hasMessageContaining("threads");
    }

    private static double iou(boolean[] a, boolean[] b) {
        long both = 0;
        long either = 0;
        for (int i = 0; i < a.length; i++) {
            both += a[i] && b[i] ? 1 : 0;
            either += a[i] || b[i] ? 1 : 0;
        }
        return either == 0 ? 1.0 : (double) both / either;
    }
}
