package dev.groundingdino.sam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.Box;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.sam.internal.sam2.Sam2Golden;
import dev.groundingdino.testing.GoldenTensors;
import dev.groundingdino.testing.TensorValues;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SAM 2.1 through the public {@link Segmenter}: the family is recognised from the checkpoint, and every shared golden
 * case of the official {@code SAM2ImagePredictor} (boxes single and multimask, four boxes batched, a point, a
 * fractional box, a box with a positive and a negative point) gives the golden low-resolution logits and IoU
 * predictions ({@link Segmenter#rawOutputs}) and masks whose pixel counts are within the case's near-threshold
 * tolerance ({@link Segmenter#segment}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Sam2SegmenterTest {
    private Segmenter segmenter;

    @BeforeAll
    void load() {
        Path dir = Sam2Golden.checkpoint().getParent();
        segmenter = Segmenter.builder(Sam2Golden.checkpoint()).config(dir.resolve("config.json")).build();
    }

    @AfterAll
    void close() {
        if (segmenter != null) {
            segmenter.close();
        }
    }

    @Test
    void theFamilyIsRecognisedAndTheTinySizeNeedsItsConfig() {
        assertThat(segmenter.family()).isEqualTo("SAM 2.1");
        assertThat(segmenter.variant()).isEqualTo("config.json");
        assertThatThrownBy(() -> Segmenter.load(Sam2Golden.checkpoint())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config");
    }

    @Test
    void everyGoldenCaseMatchesTheOfficialPredictor() {
        assertEveryGoldenCase(segmenter);
    }

    /** {@code segmenter} (the golden tiny SAM 2.1, on any device) reproduces every golden case. */
    static void assertEveryGoldenCase(Segmenter segmenter) {
        for (String name : List.of("truck", "groceries")) {
            JsonNode c = Sam2Golden.caseJson(name);
            Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(Sam2Golden.caseDir(name)
                    .resolve("tensors.safetensors"));
            try (ImageEmbedding e = segmenter.embed(ImageInput.of(Sam2Golden.image(c)))) {
                for (JsonNode p : c.get("predictions")) {
                    String pred = p.get("name").asText();
                    boolean multimask = p.get("multimask_output").asBoolean();
                    List<MaskPrompt> prompts = prompts(p);
                    RawMasks raw = segmenter.rawOutputs(e, prompts, multimask);
                    double logits = TensorValues.maxAbsDiff(raw.lowResLogits(),
                            golden.get(pred + "_low_res_logits").asFloats());
                    double iou = TensorValues.maxAbsDiff(raw.iouPredictions(),
                            golden.get(pred + "_iou_predictions").asFloats());
                    System.out.printf("SAM 2.1 %s/%s through Segmenter (%s): low-res logits %.3g, IoU %.3g%n", name, pred,
                            segmenter.device(), logits, iou);
                    assertThat(logits).as(name + "/" + pred + " low-res logits").isLessThan(1e-4);
                    assertThat(iou).as(name + "/" + pred + " IoU").isLessThan(1e-5);

                    List<Segmentation> segs = prompts.size() == 1
                            ? List.of(segmenter.segment(e, prompts.get(0), multimask))
                            : segmenter.segment(e, prompts, multimask);
                    List<Long> counts = flat(p.get("mask_true_pixels"));
                    List<Long> tolerance = flat(p.get("near_threshold_pixels").get("0.0001"));
                    int k = 0;
                    for (Segmentation s : segs) {
                        for (Mask m : s.masks()) {
                            assertThat(m.bitmap().width()).isEqualTo(c.get("original_size_hw").get(1).asInt());
                            assertThat(Math.abs(m.area() - counts.get(k))).as(name + "/" + pred + " mask " + k)
                                    .isLessThanOrEqualTo(tolerance.get(k));
                            k++;
                        }
                    }
                    assertThat(k).isEqualTo(counts.size());
                }
            }
        }
    }

    /** The numbers of a possibly nested JSON array ([B][C] for a batch), in order. */
    private static List<Long> flat(JsonNode node) {
        List<Long> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.addAll(flat(n)));
        } else {
            out.add(node.asLong());
        }
        return out;
    }

    /** The case's prompts: one per box (four boxes batched), with its points. */
    private static List<MaskPrompt> prompts(JsonNode p) {
        List<Point> points = new ArrayList<>();
        if (p.has("point_coords")) {
            for (int i = 0; i < p.get("point_coords").size(); i++) {
                JsonNode xy = p.get("point_coords").get(i);
                points.add(new Point(xy.get(0).asDouble(), xy.get(1).asDouble(),
                        p.get("point_labels").get(i).asInt() == 1));
            }
        }
        List<MaskPrompt> out = new ArrayList<>();
        if (!p.has("box")) {
            out.add(new MaskPrompt(null, points));
            return out;
        }
        JsonNode box = p.get("box");
        if (box.get(0).isArray()) {
            for (JsonNode b : box) {
                out.add(new MaskPrompt(box(b), points));
            }
        } else {
            out.add(new MaskPrompt(box(box), points));
        }
        return out;
    }

    private static Box box(JsonNode b) {
        return new Box(b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble());
    }
}
