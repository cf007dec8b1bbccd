package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.internal.runtime.HostTensors;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.sam.internal.sam2.utils.SAM2Transforms;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny SAM 2.1 against the golden cases of the original {@code SAM2ImagePredictor}
 * ({@code sam2/sam2.1-tiny_seed0/cases/*}): preprocessed input, image embedding, high-resolution features,
 * low-resolution logits, IoU predictions, upscaled logits and mask pixel counts of every prediction. The checkpoint
 * is the official-layout {@code sam2.1_tiny.pt}, loaded through the product loader.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try") // inference scopes free native temporaries without being referenced
class Sam2GoldenTest {
    private SAM2ImagePredictor predictor;
    private final Map<String, Sam2ImageFeatures> features = new HashMap<>();
    private final Map<String, RgbImage> images = new HashMap<>();

    @BeforeAll
    void load() {
        predictor = SAM2ImagePredictor.load(Sam2Golden.checkpoint(), Sam2Config.tiny(), dev.groundingdino.Device.CPU,
                Precision.FP32);
    }

    @AfterAll
    void release() {
        features.values().forEach(Sam2ImageFeatures::close);
        if (predictor != null) {
            predictor.close();
        }
    }

    private RgbImage image(String caseName) {
        return images.computeIfAbsent(caseName, c -> ImageDecoder.read(Sam2Golden.image(Sam2Golden.caseJson(c))));
    }

    private Sam2ImageFeatures features(String caseName) {
        return features.computeIfAbsent(caseName, c -> predictor.embed(image(c)));
    }

    private static Fingerprint fingerprint(JsonNode caseJson, String name) {
        return Fingerprint.of(caseJson.get("fingerprints").get(name));
    }

    static Stream<Arguments> predictions() {
        List<Arguments> out = new ArrayList<>();
        for (String c : Sam2Golden.CASES) {
            for (JsonNode p : Sam2Golden.caseJson(c).get("predictions")) {
                out.add(Arguments.of(c, p.get("name").asText()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @ValueSource(strings = {"truck", "groceries"})
    void preprocessedInputMatches(String caseName) {
        JsonNode caseJson = Sam2Golden.caseJson(caseName);
        RgbImage img = image(caseName);
        assertThat(img.height()).isEqualTo(caseJson.get("original_size_hw").get(0).asInt());
        assertThat(img.width()).isEqualTo(caseJson.get("original_size_hw").get(1).asInt());
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor input = SAM2Transforms.toInput(img, predictor.torchDevice()).squeeze(0); // (3, 1024, 1024)
            double err = fingerprint(caseJson, "preprocessed_input").check(caseName + " preprocessed_input",
                    TensorValues.shape(input), TensorValues.doubles(input), 1e-5, 0);
            System.out.printf("SAM2 %s preprocessed_input max |err| over the samples: %.3g%n", caseName, err);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"truck", "groceries"})
    void imageFeaturesMatch(String caseName) {
        JsonNode caseJson = Sam2Golden.caseJson(caseName);
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(Sam2Golden.caseDir(caseName)
                .resolve("tensors.safetensors"));
        features(caseName).use(f -> {
            try (InferenceScope scope = InferenceScope.open()) {
                GoldenTensors.Entry g = golden.get("image_embed");
                assertThat(TensorValues.shape(f.imageEmbed())).containsExactly(g.shape());
                double embedErr = TensorValues.maxAbsDiff(TensorValues.doubles(f.imageEmbed()), g.asDoubles());
                fingerprint(caseJson, "image_embed").check("image_embed", TensorValues.shape(f.imageEmbed()),
                        TensorValues.doubles(f.imageEmbed()), 1e-4, 0);
                double s0 = fingerprint(caseJson, "high_res_feat0").check("high_res_feat0",
                        TensorValues.shape(f.highResFeat0()), TensorValues.doubles(f.highResFeat0()), 1e-4, 0);
                double s1 = fingerprint(caseJson, "high_res_feat1").check("high_res_feat1",
                        TensorValues.shape(f.highResFeat1()), TensorValues.doubles(f.highResFeat1()), 1e-4, 0);
                System.out.printf("SAM2 %s image_embed max |err| %.3g (all 1048576 values); high_res_feat0 %.3g, "
                        + "high_res_feat1 %.3g (256 samples each)%n", caseName, embedErr, s0, s1);
                assertThat(embedErr).as("image_embed max |err|").isLessThanOrEqualTo(1e-4);
                return null;
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("predictions")
    void predictionMatches(String caseName, String predName) {
        JsonNode caseJson = Sam2Golden.caseJson(caseName);
        JsonNode p = null;
        for (JsonNode q : caseJson.get("predictions")) {
            if (q.get("name").asText().equals(predName)) {
                p = q;
            }
        }
        Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(Sam2Golden.caseDir(caseName)
                .resolve("tensors.safetensors"));
        Sam2ImageFeatures f = features(caseName);
        Sam2Prompt prompt = prompt(p);
        boolean multimask = p.get("multimask_output").asBoolean();
        Sam2Prediction pred = predictor.predict(f, prompt, multimask);

        GoldenTensors.Entry goldenLow = golden.get(predName + "_low_res_logits");
        GoldenTensors.Entry goldenIou = golden.get(predName + "_iou_predictions");
        boolean batched = goldenLow.shape().length == 4;
        long[] shape = pred.lowResShape();
        long[] expectedShape = batched ? shape : new long[] {shape[1], shape[2], shape[3]}; // predict() squeezes B=1
        assertThat(batched || shape[0] == 1).isTrue();
        assertThat(goldenLow.shape()).containsExactly(expectedShape);
        double lowErr = TensorValues.maxAbsDiff(pred.lowResLogits(), goldenLow.asDoubles());
        double iouErr = TensorValues.maxAbsDiff(pred.iouPredictions(), goldenIou.asDoubles());

        double upErr;
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor low = HostTensors.floats(pred.rawLowResLogits(), predictor.torchDevice(), pred.lowResShape());
            Tensor up = SAM2Transforms.postprocessMasks(low, f.originalHeight(), f.originalWidth()); // (B, C, H, W)
            if (!batched) {
                up = up.squeeze(0);
            }
            upErr = Fingerprint.of(p.get("upscaled_logits_fingerprint")).check(predName + " upscaled logits",
                    TensorValues.shape(up), TensorValues.doubles(up), 1e-4, 0);
        }
        System.out.printf("SAM2 %s %s: low_res_logits max |err| %.3g, iou %.3g, upscaled logits (samples) %.3g%n",
                caseName, predName, lowErr, iouErr, upErr);
        assertThat(lowErr).as("low-res logits max |err|").isLessThanOrEqualTo(1e-4);
        assertThat(iouErr).as("IoU predictions max |err|").isLessThanOrEqualTo(1e-5);

        Sam2Masks masks = predictor.upscale(f, pred);
        assertThat(masks.height()).isEqualTo(f.originalHeight());
        assertThat(masks.width()).isEqualTo(f.originalWidth());
        JsonNode counts = p.get("mask_true_pixels");
        JsonNode near = p.get("near_threshold_pixels").get("0.0001");
        for (int b = 0; b < masks.batch(); b++) {
            for (int c = 0; c < masks.masksPerPrompt(); c++) {
                long expected = (batched ? counts.get(b).get(c) : counts.get(c)).asLong();
                long tolerance = (batched ? near.get(b).get(c) : near.get(c)).asLong();
                long actual = masks.trueCount(b, c);
                System.out.printf("SAM2 %s %s mask [%d,%d]: %d true pixels (golden %d, tolerance %d)%n", caseName,
                        predName, b, c, actual, expected, tolerance);
                assertThat(Math.abs(actual - expected)).as("mask [%d,%d] true-pixel count", b, c)
                        .isLessThanOrEqualTo(tolerance);
            }
        }
    }

    /** The {@code predict} keyword arguments of a golden prediction. */
    static Sam2Prompt prompt(JsonNode p) {
        JsonNode box = p.get("box");
        JsonNode pts = p.get("point_coords");
        float[][] points = null;
        int[] labels = null;
        if (pts != null) {
            points = new float[pts.size()][2];
            labels = new int[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                points[i][0] = (float) pts.get(i).get(0).asDouble();
                points[i][1] = (float) pts.get(i).get(1).asDouble();
                labels[i] = p.get("point_labels").get(i).asInt();
            }
        }
        if (box == null) {
            return Sam2Prompt.points(points, labels);
        }
        if (box.get(0).isArray()) {
            float[][] boxes = new float[box.size()][4];
            for (int i = 0; i < box.size(); i++) {
                for (int j = 0; j < 4; j++) {
                    boxes[i][j] = (float) box.get(i).get(j).asDouble();
                }
            }
            return Sam2Prompt.boxes(boxes);
        }
        float[] b = new float[4];
        for (int j = 0; j < 4; j++) {
            b[j] = (float) box.get(j).asDouble();
        }
        return points == null ? Sam2Prompt.box(b[0], b[1], b[2], b[3]) : Sam2Prompt.boxAndPoints(b, points, labels);
    }
}
