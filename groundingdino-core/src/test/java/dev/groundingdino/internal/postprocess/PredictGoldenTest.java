package dev.groundingdino.internal.postprocess;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The post-processing alone on the golden {@code pred_logits} / {@code pred_boxes}: exactly the reference's
 * {@code predict()} results (query indices, boxes, scores bit for bit, phrases and their token positions) and the
 * {@code remove_combined=True} phrases, for every golden case.
 */
class PredictGoldenTest {

    /** One golden case's stored outputs. */
    record Case(String name, JsonNode json, QueryOutputs outputs, CaptionEncoding caption) {
        static Case of(Path dir) {
            JsonNode json = Golden.json(dir.resolve("case.json"));
            Map<String, GoldenTensors.Entry> t = GoldenTensors.read(dir.resolve("tensors.safetensors"));
            GoldenTensors.Entry logits = t.get("pred_logits");
            GoldenTensors.Entry boxes = t.get("pred_boxes");
            int queries = (int) logits.shape()[1];
            int slots = (int) logits.shape()[2];
            assertThat(boxes.shape()).containsExactly(1, queries, 4);
            return new Case(dir.getFileName().toString(), json,
                    QueryOutputs.of(queries, slots, logits.asFloats(), boxes.asFloats()),
                    CaptionEncoder.encode(json.get("caption_raw").asText()));
        }

        float box() {
            return (float) json.get("box_threshold").asDouble();
        }

        float text() {
            return (float) json.get("text_threshold").asDouble();
        }
    }

    @Test
    void predictMatchesTheReferenceExactlyOnEveryGoldenCase() {
        List<Path> cases = Golden.gdinoCases();
        assertThat(cases).isNotEmpty();
        for (Path dir : cases) {
            Case c = Case.of(dir);
            JsonNode expected = c.json().get("predict");
            List<Prediction> got = Predict.predict(c.outputs(), c.caption(), c.box(), c.text(), false);
            assertThat(got).as(c.name()).hasSize(expected.get("num_boxes").asInt());
            for (int i = 0; i < got.size(); i++) {
                Prediction p = got.get(i);
                String at = c.name() + " detection " + i;
                assertThat(p.queryIndex()).as(at).isEqualTo(expected.get("query_indices").get(i).asInt());
                assertThat(p.score()).as(at).isEqualTo((float) expected.get("scores").get(i).asDouble());
                JsonNode box = expected.get("boxes_cxcywh").get(i);
                assertThat(new float[] {p.cx(), p.cy(), p.w(), p.h()}).as(at).containsExactly(
                        (float) box.get(0).asDouble(), (float) box.get(1).asDouble(), (float) box.get(2).asDouble(),
                        (float) box.get(3).asDouble());
                assertThat(p.phrase()).as(at).isEqualTo(expected.get("phrases").get(i).asText());
                JsonNode positions = expected.get("phrase_token_positions").get(i);
                int[] want = new int[positions.size()];
                for (int k = 0; k < want.length; k++) {
                    want[k] = positions.get(k).asInt();
                }
                assertThat(p.tokenPositions()).as(at).containsExactly(want);
                assertThat(p.classId()).isEqualTo(-1);
            }
        }
    }

    @Test
    void removeCombinedMatchesTheReferenceOnEveryGoldenCase() {
        for (Path dir : Golden.gdinoCases()) {
            Case c = Case.of(dir);
            JsonNode expected = c.json().get("predict");
            assertThat(expected.get("remove_combined_error").isNull()).isTrue();
            List<Prediction> got = Predict.predict(c.outputs(), c.caption(), c.box(), c.text(), true);
            assertThat(got).as(c.name()).hasSize(expected.get("num_boxes").asInt());
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).phrase()).as(c.name() + " detection " + i)
                        .isEqualTo(expected.get("phrases_remove_combined").get(i).asText());
                assertThat(got.get(i).queryIndex()).isEqualTo(expected.get("query_indices").get(i).asInt());
            }
        }
    }

    @Test
    void thresholdsAreStrictAtTheExactScore() {
        Case c = Case.of(Golden.gdinoCases().get(0));
        List<Prediction> all = Predict.predict(c.outputs(), c.caption(), c.box(), c.text(), false);
        Prediction top = all.get(0);
        List<Prediction> atScore = Predict.predict(c.outputs(), c.caption(), top.score(), c.text(), false);
        assertThat(atScore).extracting(Prediction::queryIndex).doesNotContain(top.queryIndex());
        float below = Math.nextDown(top.score());
        assertThat(Predict.predict(c.outputs(), c.caption(), below, c.text(), false))
                .extracting(Prediction::queryIndex).contains(top.queryIndex());
    }
}
