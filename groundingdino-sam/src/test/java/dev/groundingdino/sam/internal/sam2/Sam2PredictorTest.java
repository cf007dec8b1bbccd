package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The predictor beyond the golden cases: dynamic multimask on the golden model, mask input broadcasting, batch
 * equivalence, lifecycle, and what the loader says about wrong checkpoints.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Sam2PredictorTest {
    private SAM2ImagePredictor predictor;
    private Sam2ImageFeatures truck;
    private JsonNode caseJson;

    @BeforeAll
    void load() {
        predictor = SAM2ImagePredictor.load(Sam2Golden.checkpoint(), Sam2Config.tiny(), Device.CPU, Precision.FP32);
        caseJson = Sam2Golden.caseJson("truck");
        truck = predictor.embed(ImageDecoder.read(Sam2Golden.image(caseJson)));
    }

    @AfterAll
    void release() {
        if (truck != null) {
            truck.close();
        }
        if (predictor != null) {
            predictor.close();
        }
    }

    private JsonNode prediction(String name) {
        for (JsonNode p : caseJson.get("predictions")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void dynamicMultimaskFallsBackToTheBestMultimaskOutput() {
        // box_single's token-0 mask has a stability score of ~0.30, so build_sam2's dynamic multimask replaces it by
        // the box_multi mask with the highest predicted IoU
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(Sam2Golden.caseDir("truck")
                .resolve("tensors.safetensors"));
        float[] multiIou = golden.get("box_multi_iou_predictions").asFloats();
        int best = 0;
        for (int i = 1; i < multiIou.length; i++) {
            best = multiIou[i] > multiIou[best] ? i : best;
        }
        double[] multiLow = golden.get("box_multi_low_res_logits").asDoubles();
        int plane = 256 * 256;
        double[] expected = new double[plane];
        System.arraycopy(multiLow, best * plane, expected, 0, plane);
        try (SAM2ImagePredictor dynamic = SAM2ImagePredictor.load(Sam2Golden.checkpoint(),
                Sam2Config.tiny().withDynamicMultimask(true), Device.CPU, Precision.FP32);
                Sam2ImageFeatures f = dynamic.embed(ImageDecoder.read(Sam2Golden.image(caseJson)))) {
            Sam2Prediction p = dynamic.predict(f, Sam2GoldenTest.prompt(prediction("box_single")), false);
            assertThat(p.masksPerPrompt()).isEqualTo(1);
            double err = TensorValues.maxAbsDiff(p.lowResLogits(), expected);
            System.out.printf("SAM2 dynamic multimask: box_single -> box_multi[%d], max |err| %.3g%n", best, err);
            assertThat(err).isLessThanOrEqualTo(1e-4);
            assertThat(Math.abs(p.iouPredictions()[0] - multiIou[best])).isLessThanOrEqualTo(1e-5f);
            // multimask output is unaffected by the option
            Sam2Prediction multi = dynamic.predict(f, Sam2GoldenTest.prompt(prediction("box_multi")), true);
            assertThat(TensorValues.maxAbsDiff(multi.lowResLogits(), multiLow)).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void oneMaskInputIsBroadcastOverABoxBatch() {
        Sam2Prediction first = predictor.predict(truck, Sam2Prompt.box(425, 600, 700, 875), false);
        float[] mask = first.lowResLogits(0, 0);
        float[][] boxes = {{75, 275, 1725, 850}, {1375, 550, 1650, 800}};
        Sam2Prediction batch = predictor.predict(truck, Sam2Prompt.boxes(boxes).withMaskInput(mask), false);
        assertThat(batch.batch()).isEqualTo(2);
        Sam2Prediction without = predictor.predict(truck, Sam2Prompt.boxes(boxes), false);
        assertThat(TensorValues.maxAbsDiff(batch.lowResLogits(), without.lowResLogits()))
                .as("the mask input changes the prediction").isGreaterThan(1e-3);
        for (int b = 0; b < 2; b++) {
            Sam2Prediction single = predictor.predict(truck, Sam2Prompt.box(boxes[b][0], boxes[b][1], boxes[b][2],
                    boxes[b][3]).withMaskInput(mask), false);
            double d = TensorValues.maxAbsDiff(single.lowResLogits(0, 0), batch.lowResLogits(b, 0));
            assertThat(d).as("batch row %d vs single call", b).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void masksAreTheThresholdedUpscaledLogits() {
        Sam2Prediction p = predictor.predict(truck, Sam2Prompt.points(new float[][] {{500, 375}}, new int[] {1}), true);
        Sam2Masks m = predictor.upscale(truck, p);
        assertThat(m.masksPerPrompt()).isEqualTo(3);
        assertThat(m.trueCount(0, 0)).isEqualTo(prediction("point_multi").get("mask_true_pixels").get(0).asLong());
        assertThat(p.objectScoreLogits()).hasSize(1);
        assertThat(Float.isFinite(p.objectScoreLogits()[0])).isTrue();
    }

    @Test
    void featuresBelongToTheirPredictorAndCanBeClosed() {
        RgbImage small = ImageDecoder.read(Golden.file("images/groceries.jpg"));
        Sam2ImageFeatures f = predictor.embed(small);
        f.close();
        f.close(); // idempotent
        assertThatThrownBy(() -> predictor.predict(f, Sam2Prompt.box(0, 0, 10, 10), false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        try (SAM2ImagePredictor other = SAM2ImagePredictor.load(Sam2Golden.checkpoint(), Sam2Config.tiny(),
                Device.CPU, Precision.FP32)) {
            assertThatThrownBy(() -> other.predict(truck, Sam2Prompt.box(0, 0, 10, 10), false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another predictor");
            other.close();
            assertThatThrownBy(() -> other.embed(small)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void arrayPromptsEqualTheRecordForm() {
        float[] box = {425, 600, 700, 875};
        float[][] points = {{500, 375}, {600, 700}};
        int[] labels = {1, 0};
        Sam2Prediction a = predictor.predict(truck, Sam2Prompt.boxAndPoints(box, points, labels), false);
        Sam2Prediction b = predictor.predict(truck, new float[][] {box}, new float[][][] {points},
                new int[][] {labels}, false);
        assertThat(b.batch()).isEqualTo(1);
        assertThat(TensorValues.maxAbsDiff(a.rawLowResLogits(), b.rawLowResLogits())).isLessThanOrEqualTo(1e-6);
        assertThatThrownBy(() -> Sam2Prompt.of(new float[][] {box, box}, new float[][][] {points},
                new int[][] {labels})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 prompts");
    }

    @Test
    void promptsAreValidated() {
        assertThatThrownBy(() -> Sam2Prompt.points(new float[][] {{1, 2}}, new int[] {7}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels");
        assertThatThrownBy(() -> new Sam2Prompt(2, new float[] {0, 0, 1, 1}, null, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("box values");
        assertThatThrownBy(() -> Sam2Prompt.box(0, 0, Float.NaN, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> Sam2Prompt.box(0, 0, 1, 1).withMaskInput(new float[10]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask_input");
    }

    @Test
    void theTinyCheckpointNeedsItsConfig() {
        assertThatThrownBy(() -> SAM2ImagePredictor.load(Sam2Golden.checkpoint(), null, Device.CPU, Precision.FP32))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("give its config");
        assertThatThrownBy(() -> SAM2ImagePredictor.load(Sam2Golden.checkpoint(), Sam2Config.hieraT(), Device.CPU,
                Precision.FP32)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("sam2.1_hiera_t").hasMessageContaining("image_encoder.trunk.pos_embed");
    }

    @Test
    void otherCheckpointsAreNamed() {
        assertThatThrownBy(() -> SAM2ImagePredictor.load(Golden.samSuite().resolve("sam.safetensors"), null,
                Device.CPU, Precision.FP32)).isInstanceOf(CheckpointException.class).hasMessageContaining("SAM 1");
        // a SAM 2.0 checkpoint lacks the 2.1 no_obj_embed_spatial
        StateDict full = StateDict.read(Sam2Golden.checkpoint());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : full.names()) {
            if (!name.equals("no_obj_embed_spatial")) {
                tensors.put(name, full.get(name));
            }
        }
        StateDict sam20 = StateDict.of(tensors, Map.of());
        full.close();
        assertThatThrownBy(() -> SAM2ImagePredictor.load(sam20, Sam2Config.tiny(), Device.CPU, Precision.FP32))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("SAM 2 (2.0)");
        assertThat(sam20.isClosed()).as("the failed load released the state dict").isTrue();
    }
}
