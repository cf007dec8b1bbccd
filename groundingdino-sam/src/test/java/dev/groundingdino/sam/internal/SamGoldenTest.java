package dev.groundingdino.sam.internal;

import dev.groundingdino.sam.internal.config.SamConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.ImageSize;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.image.SamTransform;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny SAM against the golden {@code sam/tiny_seed0/cases/truck}: every stage from the preprocessed input to
 * the binary masks, single-box {@code SamPredictor.predict} calls and the batched {@code predict_torch} call.
 * Weights are read with the independent golden safetensors reader, so this test needs no product checkpoint code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try") // inference scopes free native temporaries without being referenced
class SamGoldenTest {
    private Map<String, Tensor> weights;
    private Sam sam;
    private Path caseDir;
    private JsonNode caseJson;
    private Map<String, GoldenTensors.Entry> golden;
    private RgbImage image;
    private ImageSize originalSize;
    private ImageSize inputSize;
    private PixelTensor preprocessed;
    private Tensor embedding; // (1, 256, 64, 64), owned by this test

    @BeforeAll
    void load() {
        Path suite = Golden.samSuite();
        weights = TestTensors.readFloatTensors(suite.resolve("sam.safetensors"));
        sam = Sam.load(SamConfig.tiny(), name -> {
            Tensor t = weights.get(name);
            if (t == null) {
                throw new AssertionError("model asks for " + name + ", not in sam.safetensors");
            }
            return t;
        });
        caseDir = suite.resolve("cases/truck");
        caseJson = Golden.json(caseDir.resolve("case.json"));
        golden = GoldenTensors.read(caseDir.resolve("tensors.safetensors"));
        image = ImageDecoder.read(Golden.dir().resolve(caseJson.get("image").asText()));
        originalSize = image.size();
        inputSize = SamTransform.preprocessShape(image.height(), image.width());
        preprocessed = SamTransform.apply(image);
        try (InferenceScope scope = InferenceScope.open()) {
            embedding = sam.embed(preprocessed.toTensor()).retainReference();
        }
    }

    @AfterAll
    void release() {
        if (embedding != null) {
            embedding.releaseReference();
        }
        if (weights != null) {
            weights.values().forEach(Tensor::close);
        }
    }

    private Fingerprint fingerprint(String name) {
        return Fingerprint.of(caseJson.get("fingerprints").get(name));
    }

    private JsonNode prediction(String name) {
        for (JsonNode p : caseJson.get("predictions")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no prediction " + name);
    }

    @Test
    void sizesAndPreprocessedInputAreExact() {
        assertThat(originalSize.height()).isEqualTo(caseJson.get("original_size_hw").get(0).asInt());
        assertThat(originalSize.width()).isEqualTo(caseJson.get("original_size_hw").get(1).asInt());
        assertThat(inputSize.height()).isEqualTo(caseJson.get("input_size_hw").get(0).asInt());
        assertThat(inputSize.width()).isEqualTo(caseJson.get("input_size_hw").get(1).asInt());
        double[] values = new double[preprocessed.numel()];
        for (int i = 0; i < values.length; i++) {
            values[i] = preprocessed.get(i);
        }
        double err = fingerprint("preprocessed_input").check("preprocessed_input", preprocessed.shape(), values, 0, 0);
        assertThat(err).isZero();
    }

    @Test
    void imageEmbeddingMatches() {
        double err = fingerprint("image_embedding").check("image_embedding", TensorValues.shape(embedding),
                TensorValues.doubles(embedding), 1e-4, 1e-4);
        System.out.println("image_embedding max |err| over the 256 samples: " + err);
    }

    @Test
    void densePeAndNoMaskEmbedMatch() {
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor pe = sam.promptEncoder().densePe();
            double err = fingerprint("dense_pe").check("dense_pe", TensorValues.shape(pe), TensorValues.doubles(pe),
                    1e-5, 0);
            System.out.println("dense_pe max |err|: " + err);
            Tensor nm = sam.promptEncoder().noMaskEmbed();
            fingerprint("no_mask_embed").check("no_mask_embed", TensorValues.shape(nm), TensorValues.doubles(nm), 0, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"box0_single", "box0_multi", "box1_single", "box1_multi"})
    void singleBoxPredictMatches(String name) {
        JsonNode p = prediction(name);
        boolean multimask = p.get("multimask_output").asBoolean();
        double[] box = new double[4];
        for (int i = 0; i < 4; i++) {
            box[i] = p.get("box_xyxy").get(i).asDouble();
        }
        double[] transformed = SamTransform.applyBoxes(box, originalSize);
        for (int i = 0; i < 4; i++) {
            assertThat(transformed[i]).as("box_transformed[%d]", i).isEqualTo(p.get("box_transformed").get(0).get(i).asDouble());
        }
        float[] boxF = new float[4];
        for (int i = 0; i < 4; i++) {
            boxF[i] = (float) transformed[i]; // torch.as_tensor(box, dtype=torch.float)
        }
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor boxes = TensorValues.tensor(boxF, 1, 4);
            Tensor sparse = sam.promptEncoder().forward(null, null, boxes, null).sparse();
            double sparseErr = TensorValues.maxAbsDiff(TensorValues.doubles(sparse),
                    golden.get(name + "_sparse_embeddings").asDoubles());
            assertThat(TensorValues.shape(sparse)).containsExactly(1, 2, 256);
            assertThat(sparseErr).as("sparse embeddings").isLessThanOrEqualTo(1e-5);

            Sam.Prediction pred = sam.predictBoxes(embedding, boxes, multimask);
            Tensor lowRes = pred.lowResLogits().select(0, 0); // predict() returns [0]
            GoldenTensors.Entry goldenLow = golden.get(name + "_low_res_logits");
            assertThat(TensorValues.shape(lowRes)).containsExactly(goldenLow.shape());
            double lowErr = TensorValues.maxAbsDiff(TensorValues.doubles(lowRes), goldenLow.asDoubles());
            double iouErr = TensorValues.maxAbsDiff(TensorValues.doubles(pred.iouPredictions().select(0, 0)),
                    golden.get(name + "_iou_predictions").asDoubles());
            System.out.printf("%s: sparse %.3g, low_res_logits %.3g, iou %.3g%n", name, sparseErr, lowErr, iouErr);
            assertThat(lowErr).as("low-res logits max |err|").isLessThanOrEqualTo(1e-4);
            assertThat(iouErr).as("IoU predictions max |err|").isLessThanOrEqualTo(1e-5);

            Tensor upscaled = sam.postprocessMasks(pred.lowResLogits(), inputSize.height(), inputSize.width(),
                    originalSize.height(), originalSize.width()).select(0, 0); // (C, H, W)
            Fingerprint.of(p.get("upscaled_logits_fingerprint")).check(name + " upscaled logits",
                    TensorValues.shape(upscaled), TensorValues.doubles(upscaled), 1e-4, 0);
            checkMasks(p, TensorValues.bools(Sam.binarize(upscaled)), (int) upscaled.size(0));
        }
    }

    @Test
    void batchedPredictTorchMatches() {
        JsonNode p = prediction("batch_single");
        JsonNode boxesJson = p.get("boxes_xyxy");
        int b = boxesJson.size();
        float[] raw = new float[4 * b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < 4; j++) {
                raw[4 * i + j] = (float) boxesJson.get(i).get(j).asDouble();
            }
        }
        float[] transformed = SamTransform.applyBoxesTorch(raw, originalSize);
        float[] expected = golden.get("batch_single_boxes_transformed").asFloats();
        assertThat(transformed).containsExactly(expected);
        try (InferenceScope scope = InferenceScope.open()) {
            Sam.Prediction pred = sam.predictBoxes(embedding, TensorValues.tensor(transformed, b, 4), false);
            GoldenTensors.Entry goldenLow = golden.get("batch_single_low_res_logits");
            assertThat(TensorValues.shape(pred.lowResLogits())).containsExactly(goldenLow.shape());
            double lowErr = TensorValues.maxAbsDiff(TensorValues.doubles(pred.lowResLogits()), goldenLow.asDoubles());
            double iouErr = TensorValues.maxAbsDiff(TensorValues.doubles(pred.iouPredictions()),
                    golden.get("batch_single_iou_predictions").asDoubles());
            System.out.printf("batch_single: low_res_logits %.3g, iou %.3g%n", lowErr, iouErr);
            assertThat(lowErr).isLessThanOrEqualTo(1e-4);
            assertThat(iouErr).isLessThanOrEqualTo(1e-5);

            Tensor upscaled = sam.postprocessMasks(pred.lowResLogits(), inputSize.height(), inputSize.width(),
                    originalSize.height(), originalSize.width()); // (B, 1, H, W)
            Fingerprint.of(p.get("upscaled_logits_fingerprint")).check("batch upscaled logits",
                    TensorValues.shape(upscaled), TensorValues.doubles(upscaled), 1e-4, 0);
            checkMasks(p, TensorValues.bools(Sam.binarize(upscaled)), b);

            // Batch vs single: the same float32 box alone gives the same logits.
            for (int i = 0; i < b; i++) {
                float[] one = new float[4];
                System.arraycopy(transformed, 4 * i, one, 0, 4);
                Tensor single = sam.predictBoxes(embedding, TensorValues.tensor(one, 1, 4), false).lowResLogits();
                double d = TensorValues.maxAbsDiff(TensorValues.doubles(single),
                        TensorValues.doubles(pred.lowResLogits().select(0, i).unsqueeze(0)));
                assertThat(d).as("batch row %d vs single call", i).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    /** Pixel counts and PNGs of {@code masks} (C masks of H x W, flattened) against the golden prediction. */
    private void checkMasks(JsonNode p, boolean[] masks, int count) {
        int h = originalSize.height();
        int w = originalSize.width();
        int plane = h * w;
        assertThat(masks).hasSize(count * plane);
        for (int j = 0; j < count; j++) {
            int tolerance = p.get("near_threshold_pixels").get("1e-4").get(j).asInt();
            long trueCount = 0;
            for (int i = j * plane; i < (j + 1) * plane; i++) {
                if (masks[i]) {
                    trueCount++;
                }
            }
            long goldenCount = p.get("mask_true_pixels").get(j).asLong();
            Raster png = readPng(caseDir.resolve(p.get("mask_pngs").get(j).asText()));
            assertThat(png.getWidth()).isEqualTo(w);
            assertThat(png.getHeight()).isEqualTo(h);
            long differing = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean expected = png.getSample(x, y, 0) != 0;
                    if (expected != masks[j * plane + y * w + x]) {
                        differing++;
                    }
                }
            }
            System.out.printf("%s mask %d: %d true pixels (golden %d), %d pixels differ from the PNG, tolerance %d%n",
                    p.get("name").asText(), j, trueCount, goldenCount, differing, tolerance);
            assertThat(Math.abs(trueCount - goldenCount)).as("mask %d true-pixel count", j).isLessThanOrEqualTo(tolerance);
            assertThat(differing).as("mask %d pixels differing from the golden PNG", j).isLessThanOrEqualTo(tolerance);
        }
    }

    private static Raster readPng(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            return img.getRaster();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
