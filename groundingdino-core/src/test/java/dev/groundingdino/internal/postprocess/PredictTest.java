package dev.groundingdino.internal.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Class-list modes, remove_combined corner cases and NMS on hand-made outputs. */
class PredictTest {
    // "cat . dog" -> [CLS] cat . dog . [SEP] at positions 0..5
    static final CaptionEncoding CAT_DOG = CaptionEncoder.encode("cat . dog");
    static final int SLOTS = 256;

    /** Builder of one image's outputs: every query starts at probability 0.01 on the caption's tokens. */
    static final class Outputs {
        final int queries;
        final float[] logits;
        final float[] boxes;

        Outputs(int queries) {
            this.queries = queries;
            logits = new float[queries * SLOTS];
            Arrays.fill(logits, Float.NEGATIVE_INFINITY);
            boxes = new float[queries * 4];
            for (int q = 0; q < queries; q++) {
                for (int t = 0; t < CAT_DOG.length(); t++) {
                    logits[q * SLOTS + t] = logit(0.01f);
                }
                box(q, 0.5f, 0.5f, 0.2f, 0.2f);
            }
        }

        Outputs prob(int q, int token, float p) {
            logits[q * SLOTS + token] = logit(p);
            return this;
        }

        Outputs box(int q, float cx, float cy, float w, float h) {
            System.arraycopy(new float[] {cx, cy, w, h}, 0, boxes, q * 4, 4);
            return this;
        }

        QueryOutputs build() {
            return QueryOutputs.of(queries, SLOTS, logits, boxes);
        }

        static float logit(float p) {
            return (float) Math.log(p / (1 - p));
        }
    }

    @Test
    void keepsQueriesAboveTheBoxThresholdInQueryOrderWithTheirPhrases() {
        QueryOutputs out = new Outputs(4).prob(0, 1, 0.9f).prob(1, 3, 0.3f).prob(2, 3, 0.8f).prob(2, 1, 0.5f)
                .prob(3, 1, 0.6f).prob(3, 3, 0.7f).build();
        List<Prediction> p = Predict.predict(out, CAT_DOG, 0.35f, 0.55f, false);
        assertThat(p).extracting(Prediction::queryIndex).containsExactly(0, 2, 3);
        assertThat(p).extracting(Prediction::label).containsExactly("cat", "dog", "cat dog");
        assertThat(p.get(0).score()).isCloseTo(0.9f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(p.get(2).tokenPositions()).containsExactly(1, 3);
        assertThat(p).allMatch(x -> x.classId() == -1);
    }

    @Test
    void sigmoidOfMinusInfinityIsZeroAndMatchesFloat32Arithmetic() {
        assertThat(Predict.sigmoid(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(Predict.sigmoid(0f)).isEqualTo(0.5f);
        assertThat(Predict.sigmoid(2f)).isEqualTo(1f / (1f + (float) Math.exp(-2.0)));
    }

    @Test
    void removeCombinedKeepsOnlyTheSubSentenceOfTheBestToken() {
        QueryOutputs out = new Outputs(2).prob(0, 3, 0.9f).prob(0, 1, 0.8f).prob(0, 4, 0.7f)
                .prob(1, 0, 0.95f).prob(1, 1, 0.9f).build();
        List<Prediction> p = Predict.predict(out, CAT_DOG, 0.35f, 0.5f, true);
        assertThat(p.get(0).label()).isEqualTo("dog"); // between separators 2 and 4: only "dog"
        assertThat(p.get(0).tokenPositions()).containsExactly(3);
        // arg-max on [CLS]: bisect_left gives 0, the left separator wraps to the last one: nothing
        assertThat(p.get(1).phrase()).isEmpty();
        assertThat(p.get(1).label()).as("the phrase of the best token after [CLS]").isEqualTo("cat");
        assertThat(p.get(1).tokenPositions()).isEmpty();
        assertThat(Predict.predict(out, CAT_DOG, 0.35f, 0.5f, false).get(0).label()).isEqualTo("cat dog");
    }

    @Test
    void phrasesToClassesTakesTheFirstClassContainedInThePhraseLikeTheReference() {
        QueryOutputs out = new Outputs(4).prob(0, 1, 0.9f).prob(0, 3, 0.9f).prob(1, 3, 0.9f).prob(2, 2, 0.9f)
                .prob(3, 1, 0.9f).build();
        List<Prediction> p = Predict.phrasesToClasses(Predict.predict(out, CAT_DOG, 0.35f, 0.25f, false),
                List.of("cat", "dog"));
        assertThat(p).extracting(Prediction::phrase).containsExactly("cat dog", "dog", "", "cat");
        // labels for people: the matched class's name; no class and no phrase: the best token is a separator
        assertThat(p).extracting(Prediction::label).containsExactly("cat", "dog", "object", "cat");
        assertThat(p).extracting(Prediction::classId).containsExactly(0, 1, -1, 0);
        // case-sensitive like Python's `in`: phrases are lowercase
        assertThat(Predict.phrasesToClasses(p, List.of("Cat"))).extracting(Prediction::classId)
                .containsExactly(-1, -1, -1, -1);
    }

    @Test
    void classSpansScoreEachClassByItsOwnTokensOnly() {
        CaptionEncoding caption = CaptionEncoder.encode("cat. hot dog");
        // [CLS] cat . hot dog . [SEP]
        QueryOutputs out = new Outputs(3).prob(0, 6, 0.99f).prob(0, 1, 0.3f) // [SEP] high, cat low
                .prob(1, 4, 0.7f).prob(1, 1, 0.6f) // dog beats cat
                .prob(2, 2, 0.9f).build(); // only the separator
        List<Prediction> p = Predict.predictClassSpans(out, caption, List.of("cat", "hot dog"), 0.35f);
        assertThat(p).extracting(Prediction::queryIndex).containsExactly(1);
        assertThat(p.get(0).label()).isEqualTo("hot dog");
        assertThat(p.get(0).classId()).isEqualTo(1);
        assertThat(p.get(0).score()).isCloseTo(0.7f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(p.get(0).tokenPositions()).containsExactly(3, 4);
        assertThat(Predict.predictClassSpans(out, caption, List.of("cat", "hot dog"), 0.2f))
                .extracting(Prediction::label).containsExactly("cat", "hot dog");
    }

    @Test
    void classSpansRejectAClassListThatDoesNotMatchThePhrases() {
        QueryOutputs out = new Outputs(1).build();
        assertThatThrownBy(() -> Predict.predictClassSpans(out, CaptionEncoder.encode("a. b. c"), List.of("a", "b"),
                0.3f)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 phrases");
    }

    @Test
    void nmsSuppressesOverlapsByScoreAndKeepsQueryOrder() {
        QueryOutputs out = new Outputs(4).prob(0, 1, 0.6f).box(0, 0.5f, 0.5f, 0.2f, 0.2f)
                .prob(1, 3, 0.9f).box(1, 0.51f, 0.5f, 0.2f, 0.2f) // overlaps 0, other label, higher score
                .prob(2, 1, 0.8f).box(2, 0.52f, 0.5f, 0.2f, 0.2f) // overlaps 0, same label, higher score
                .prob(3, 1, 0.7f).box(3, 0.1f, 0.1f, 0.1f, 0.1f) // far away
                .build();
        List<Prediction> p = Predict.predict(out, CAT_DOG, 0.35f, 0.5f, false);
        assertThat(Nms.apply(p, Nms.Grouping.PER_LABEL, 0.5)).extracting(Prediction::queryIndex)
                .containsExactly(1, 2, 3);
        assertThat(Nms.apply(p, Nms.Grouping.CLASS_AGNOSTIC, 0.5)).extracting(Prediction::queryIndex)
                .containsExactly(1, 3);
        assertThat(Nms.apply(p, Nms.Grouping.CLASS_AGNOSTIC, 1.0)).hasSize(4);
        assertThatThrownBy(() -> Nms.apply(p, Nms.Grouping.PER_LABEL, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void iouOfIdenticalDisjointAndHalfOverlappingBoxes() {
        assertThat(Nms.iou(0.5, 0.5, 0.2, 0.2, 0.5, 0.5, 0.2, 0.2)).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Nms.iou(0.2, 0.2, 0.1, 0.1, 0.8, 0.8, 0.1, 0.1)).isZero();
        assertThat(Nms.iou(0.5, 0.5, 0.2, 0.2, 0.6, 0.5, 0.2, 0.2)).isCloseTo(1.0 / 3,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Nms.iou(0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0)).isZero();
    }

    @Test
    void pixelBoxesAreComputedInFloat32LikeTheReference() {
        float[] xyxy = Boxes.cxcywhToPixelXyxy(0.33918893f, 0.5149639f, 0.054994270f, 0.05639628f, 1200, 901);
        float cx = 0.33918893f * 1200f;
        float w = 0.054994270f * 1200f;
        assertThat(xyxy[0]).isEqualTo(cx - 0.5f * w);
        assertThat(xyxy[2]).isEqualTo(cx + 0.5f * w);
    }
}
