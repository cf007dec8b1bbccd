package dev.groundingdino.internal.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model's caches (BERT output per caption row, per-size tensors) and stage API: repeated calls are identical
 * to the first, a repeated caption costs one BERT run, the stages compose to the full forward, and
 * {@code clearCaches} empties both caches without changing results.
 */
class GroundingDinoCacheTest {
    private static LoadedGroundingDino loaded;

    @BeforeAll
    static void load() {
        loaded = GoldenModel.load();
    }

    @AfterAll
    static void close() {
        if (loaded != null) {
            loaded.close();
        }
    }

    @Test
    void repeatedCallsHitTheCachesAndGiveIdenticalOutputs() {
        GroundingDINO model = loaded.model();
        model.clearCaches();
        assertThat(model.cacheSizes()).containsExactly(0, 0);
        TextBatch text = TextBatch.of(List.of(CaptionEncoder.encode("a cat . a remote control .")));
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor image = image(96, 120, 5);
            GroundingDINO.Output first = model.forward(NestedTensor.unpadded(image), text, null);
            int[] afterFirst = model.cacheSizes();
            assertThat(afterFirst[0]).as("one caption row cached").isEqualTo(1);
            assertThat(afterFirst[1]).as("per-size tensors: 4 Swin stages + 4 position encodings + the deformable "
                    + "attention's normalizer and level geometry + the encoder's reference points + the proposals")
                    .isEqualTo(12);
            GroundingDINO.Output second = model.forward(NestedTensor.unpadded(image), text, null);
            assertThat(model.cacheSizes()).containsExactly(afterFirst);
            assertThat(second.predLogits().equal(first.predLogits())).isTrue();
            assertThat(second.predBoxes().equal(first.predBoxes())).isTrue();

            // a batch of two images with the same caption: one cached row, each output equal to its single run
            Tensor pair = torch.cat(new org.bytedeco.pytorch.TensorVector(image, image(96, 120, 6)), 0);
            GroundingDINO.Output batch = model.forward(NestedTensor.unpadded(pair), text.repeat(2), null);
            assertThat(model.cacheSizes()[0]).isEqualTo(1);
            double diff = batch.predBoxes().narrow(0, 0, 1).sub(first.predBoxes()).abs().max().item_double();
            assertThat(diff).isLessThan(1e-5);

            // the stages compose to the full forward
            GroundingDINO.Output staged = model.forward(model.encodeImages(NestedTensor.unpadded(image), null),
                    model.encodeText(text, image.device(), null), null);
            assertThat(staged.predBoxes().equal(first.predBoxes())).isTrue();

            model.clearCaches();
            assertThat(model.cacheSizes()).containsExactly(0, 0);
            GroundingDINO.Output afterClear = model.forward(NestedTensor.unpadded(image), text, null);
            assertThat(afterClear.predLogits().equal(first.predLogits())).isTrue();
        } finally {
            model.clearCaches();
        }
    }

    @Test
    void aPaddedBatchComputesItsPositionEncodingsInsteadOfCachingThem() {
        GroundingDINO model = loaded.model();
        model.clearCaches();
        TextBatch text = TextBatch.of(List.of(CaptionEncoder.encode("cat ."))).repeat(2);
        try (InferenceScope scope = InferenceScope.open()) {
            NestedTensor padded = NestedTensor.fromTensorList(List.of(image(64, 80, 1).select(0, 0),
                    image(48, 96, 2).select(0, 0)));
            GroundingDINO.Output out = model.forward(padded, text, null);
            assertThat(out.predBoxes().isfinite().all().item_bool()).isTrue();
            assertThat(model.cacheSizes()[1]).as("only the 4 Swin stages' masks and the deformable attention's "
                    + "normalizer and level geometry; padded positions, reference points and proposals are computed")
                    .isEqualTo(6);
        } finally {
            model.clearCaches();
        }
    }

    private static Tensor image(int h, int w, long seed) {
        torch.manual_seed(seed);
        return torch.randn(1, 3, h, w).mul(new Scalar(0.5)); // (1, 3, H, W) normalised-like pixels
    }
}
