package dev.groundingdino.internal.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GroundingDINO caption encoding: exact equality with the reference's tokenizer and mask outputs of every golden case,
 * the phrases {@code predict()} returned, and hand-derived edge cases (separators, empty captions, truncation).
 */
class CaptionEncoderTest {

    static Stream<Path> cases() {
        return Golden.gdinoCases().stream();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static boolean[] bools(GoldenTensors.Entry entry) {
        assertThat(entry.dtype()).isEqualTo("BOOL");
        double[] values = entry.asDoubles();
        boolean[] out = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] != 0;
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReferenceTokenizerAndMasks(Path dir) {
        JsonNode json = Golden.json(dir.resolve("case.json"));
        Map<String, GoldenTensors.Entry> tensors = GoldenTensors.read(dir.resolve("tensors.safetensors"));
        CaptionEncoding e = CaptionEncoder.encode(json.get("caption_raw").asText());
        int n = json.get("num_tokens").asInt();

        assertThat(e.caption()).isEqualTo(json.get("caption").asText());
        assertThat(e.tokens()).containsExactlyElementsOf(strings(json.get("tokens")));
        assertThat(e.length()).isEqualTo(n);
        assertThat(e.truncated()).isEqualTo(json.get("truncated_to_max_text_len").asBoolean());
        assertThat(e.modelLength()).isEqualTo(Math.min(n, json.get("max_text_len").asInt()));
        assertThat(e.inputIds()).containsExactly(longs(json.get("input_ids")));
        assertThat(e.positionIds()).containsExactly(longs(json.get("position_ids")));

        assertThat(tensors.get("input_ids").shape()).containsExactly(1, n);
        assertThat(e.inputIds()).containsExactly(tensors.get("input_ids").asLongs());
        assertThat(e.attentionMask()).containsExactly(tensors.get("attention_mask").asLongs());
        assertThat(e.tokenTypeIds()).containsExactly(tensors.get("token_type_ids").asLongs());
        assertThat(e.positionIds()).containsExactly(tensors.get("position_ids").asLongs());
        assertThat(tensors.get("text_self_attention_masks").shape()).containsExactly(1, n, n);
        assertThat(e.selfAttentionMask()).containsExactly(bools(tensors.get("text_self_attention_masks")));

        GoldenTensors.Entry c2t = tensors.get("cate_to_token_mask");
        assertThat(c2t.shape()).containsExactly(e.phrases().size(), n);
        boolean[] expected = bools(c2t);
        boolean[][] actual = e.cateToTokenMask();
        assertThat(actual).hasNumberOfRows(e.phrases().size());
        for (int p = 0; p < actual.length; p++) {
            assertThat(actual[p]).containsExactly(Arrays.copyOfRange(expected, p * n, (p + 1) * n));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reproducesThePhrasesOfPredict(Path dir) {
        JsonNode json = Golden.json(dir.resolve("case.json"));
        JsonNode predict = json.get("predict");
        CaptionEncoding e = CaptionEncoder.encode(json.get("caption_raw").asText());
        Map<String, GoldenTensors.Entry> tensors = GoldenTensors.read(dir.resolve("tensors.safetensors"));
        float[] logits = tensors.get("pred_logits").asFloats(); // [1, nq, 256]
        int slots = (int) tensors.get("pred_logits").shape()[2];
        float textThreshold = (float) json.get("text_threshold").asDouble();

        int kept = predict.get("num_boxes").asInt();
        assertThat(kept).isPositive();
        for (int k = 0; k < kept; k++) {
            String phrase = predict.get("phrases").get(k).asText();
            String combined = predict.get("phrases_remove_combined").get(k).asText();
            JsonNode positions = predict.get("phrase_token_positions").get(k);
            JsonNode phraseTokens = predict.get("phrase_tokens").get(k);

            boolean[] posmap = new boolean[slots];
            int[] tokenIds = new int[positions.size()];
            for (int i = 0; i < positions.size(); i++) {
                posmap[positions.get(i).asInt()] = true;
                tokenIds[i] = phraseTokens.get(i).asInt();
                assertThat(e.tokenId(positions.get(i).asInt())).isEqualTo(tokenIds[i]);
            }
            assertThat(BertTokenizer.bertBaseUncased().decode(tokenIds).replace(".", "")).isEqualTo(phrase);
            assertThat(e.phrase(posmap)).isEqualTo(phrase);

            int query = predict.get("query_indices").get(k).asInt();
            float[] probabilities = new float[slots];
            int argmax = 0;
            for (int j = 0; j < slots; j++) {
                float logit = logits[query * slots + j];
                probabilities[j] = (float) (1.0 / (1.0 + Math.exp(-(double) logit)));
                if (logit > logits[query * slots + argmax]) {
                    argmax = j;
                }
            }
            assertThat(e.phraseRemoveCombined(posmap, argmax)).isEqualTo(combined);
            assertThat(e.phrase(probabilities, textThreshold)).isEqualTo(phrase);
            assertThat(e.phraseRemoveCombined(probabilities, textThreshold)).isEqualTo(combined);
        }
    }

    @Test
    void preprocessesLikeTheReference() {
        assertThat(CaptionEncoder.preprocess("truck . tire . window")).isEqualTo("truck . tire . window.");
        assertThat(CaptionEncoder.preprocess("  Cat . DOG  ")).isEqualTo("cat . dog.");
        assertThat(CaptionEncoder.preprocess("cat.. ")).isEqualTo("cat..");
        assertThat(CaptionEncoder.preprocess("Is it a jar?")).isEqualTo("is it a jar?.");
        // Python's strip() removes NBSP and U+2007 (Java's String.strip() does not).
        assertThat(CaptionEncoder.preprocess("\u00A0Cat\u2007")).isEqualTo("cat.");
        assertThat(CaptionEncoder.preprocess("ΟΔΟΣ")).isEqualTo("οδος."); // whole-string lower: final sigma
        assertThat(CaptionEncoder.preprocess("")).isEqualTo(".");
    }

    @Test
    void questionMarkSeparatesPhrases() {
        CaptionEncoding e = CaptionEncoder.encode("cat? dog");
        assertThat(e.caption()).isEqualTo("cat? dog.");
        assertThat(e.tokens()).containsExactly("[CLS]", "cat", "?", "dog", ".", "[SEP]");
        assertThat(e.inputIds()).containsExactly(101, 4937, 1029, 3899, 1012, 102);
        assertThat(e.positionIds()).containsExactly(0, 0, 1, 0, 1, 0);
        assertThat(e.phrases()).containsExactly(new CaptionEncoding.Phrase("cat", 1, 2),
                new CaptionEncoding.Phrase("dog", 3, 4));
    }

    @Test
    void subSentenceMaskBlocksIncludeTheirSeparator() {
        CaptionEncoding e = CaptionEncoder.encode("red car . hydrant");
        assertThat(e.tokens()).containsExactly("[CLS]", "red", "car", ".", "hydra", "##nt", ".", "[SEP]");
        assertThat(e.positionIds()).containsExactly(0, 0, 1, 2, 0, 1, 2, 0);
        boolean[][] expected = new boolean[8][8];
        expected[0][0] = true;
        expected[7][7] = true;
        for (int r = 1; r <= 3; r++) {
            for (int c = 1; c <= 3; c++) {
                expected[r][c] = true;
            }
        }
        for (int r = 4; r <= 6; r++) {
            for (int c = 4; c <= 6; c++) {
                expected[r][c] = true;
            }
        }
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 8; c++) {
                assertThat(e.attends(r, c)).as("mask[%d][%d]", r, c).isEqualTo(expected[r][c]);
            }
        }
        assertThat(e.phrases()).containsExactly(new CaptionEncoding.Phrase("red car", 1, 3),
                new CaptionEncoding.Phrase("hydrant", 4, 6));
        assertThat(e.cateToTokenMask()[1]).containsExactly(false, false, false, false, true, true, false, false);
    }

    @Test
    void emptyCaptionBecomesASingleDot() {
        for (String raw : List.of("", "   ", "\t\n")) {
            CaptionEncoding e = CaptionEncoder.encode(raw);
            assertThat(e.caption()).isEqualTo(".");
            assertThat(e.inputIds()).containsExactly(101, 1012, 102);
            assertThat(e.positionIds()).containsExactly(0, 0, 0);
            assertThat(e.selfAttentionMask()).containsExactly(true, false, false, false, true, false, false, false,
                    true);
            assertThat(e.phrases()).containsExactly(new CaptionEncoding.Phrase("", 1, 1));
            assertThat(e.cateToTokenMask()).hasDimensions(1, 3);
            assertThat(e.cateToTokenMask()[0]).containsOnly(false);
        }
    }

    @Test
    void consecutiveSeparatorsMakeEmptyPhrases() {
        CaptionEncoding e = CaptionEncoder.encode("cat . . dog");
        assertThat(e.tokens()).containsExactly("[CLS]", "cat", ".", ".", "dog", ".", "[SEP]");
        assertThat(e.positionIds()).containsExactly(0, 0, 1, 0, 0, 1, 0);
        assertThat(e.phrases()).extracting(CaptionEncoding.Phrase::text).containsExactly("cat", "", "dog");
    }

    @Test
    void longCaptionsAreCutAfterTheMasksWereComputed() {
        CaptionEncoding e = CaptionEncoder.encode("dog ".repeat(300));
        int n = 303; // [CLS], 300 x dog, ".", [SEP]
        assertThat(e.length()).isEqualTo(n);
        assertThat(e.truncated()).isTrue();
        assertThat(e.modelLength()).isEqualTo(256);
        long[] positions = e.positionIds();
        assertThat(positions[0]).isZero();
        for (int i = 1; i <= 301; i++) {
            assertThat(positions[i]).isEqualTo(i - 1); // one block 1..301, positions 0..300
        }
        assertThat(positions[302]).isZero();
        assertThat(e.modelPositionIds()).containsExactly(Arrays.copyOf(positions, 256));
        long[] modelIds = e.modelInputIds();
        assertThat(modelIds).hasSize(256);
        assertThat(modelIds[0]).isEqualTo(101);
        assertThat(modelIds[255]).isEqualTo(3899); // no [SEP] at the end of the cut sequence
        assertThat(e.modelAttentionMask()).hasSize(256).containsOnly(1L);
        assertThat(e.modelTokenTypeIds()).hasSize(256).containsOnly(0L);
        boolean[] mask = e.modelSelfAttentionMask();
        assertThat(mask).hasSize(256 * 256);
        for (int r = 0; r < 256; r++) {
            for (int c = 0; c < 256; c++) {
                boolean expected = r == 0 ? c == 0 : c >= 1;
                assertThat(mask[r * 256 + c]).as("mask[%d][%d]", r, c).isEqualTo(expected);
            }
        }
        assertThat(e.attends(300, 301)).isTrue();
        assertThat(e.attends(302, 301)).isFalse();
        assertThat(e.phrases()).containsExactly(new CaptionEncoding.Phrase(String.join(" ",
                Collections.nCopies(300, "dog")), 1, 301));
    }

    @Test
    void phraseIgnoresColumnZeroAndColumnsFrom255() {
        CaptionEncoding e = CaptionEncoder.encode("dog ".repeat(300));
        boolean[] posmap = new boolean[256];
        posmap[0] = true;
        posmap[255] = true;
        assertThat(e.phrase(posmap)).isEmpty();
        posmap[254] = true;
        assertThat(e.phrase(posmap)).isEqualTo("dog");
        // remove_combined has no 255 cut: argmax 100 lies in the block ending at the "." in column 301.
        assertThat(e.phraseRemoveCombined(posmap, 100)).isEqualTo("dog dog");
    }

    @Test
    void phraseDecodesNonContiguousPiecesAndKeepsLeadingSpaces() {
        CaptionEncoding e = CaptionEncoder.encode("skateer . hydrant");
        assertThat(e.tokens()).containsExactly("[CLS]", "skate", "##er", ".", "hydra", "##nt", ".", "[SEP]");
        boolean[] posmap = new boolean[256];
        posmap[1] = posmap[2] = posmap[4] = posmap[5] = true;
        assertThat(e.phrase(posmap)).isEqualTo("skateer hydrant");
        boolean[] piece = new boolean[256];
        piece[5] = true;
        assertThat(e.phrase(piece)).isEqualTo("##nt");
        boolean[] sep = new boolean[256];
        sep[6] = sep[7] = true;
        assertThat(e.phrase(sep)).isEqualTo(" [SEP]");
        boolean[] none = new boolean[256];
        assertThat(e.phrase(none)).isEmpty();
    }

    @Test
    void removeCombinedKeepsThePhraseAroundTheArgmax() {
        CaptionEncoding e = CaptionEncoder.encode("cat . dog .");
        boolean[] all = new boolean[256];
        Arrays.fill(all, 0, 6, true);
        assertThat(e.phrase(all)).isEqualTo("cat dog [SEP]");
        assertThat(e.phraseRemoveCombined(all, 1)).isEqualTo("cat");
        assertThat(e.phraseRemoveCombined(all, 2)).isEqualTo("cat"); // a separator closes the phrase before it
        assertThat(e.phraseRemoveCombined(all, 3)).isEqualTo("dog");
        assertThat(e.phraseRemoveCombined(all, 5)).isEmpty(); // [SEP]: between the last "." and [SEP]
        assertThat(e.phraseRemoveCombined(all, 0)).isEmpty(); // Python's sep_idx[-1] wraps to the last separator
        assertThatThrownBy(() -> e.phraseRemoveCombined(all, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after the last separator");
        // "?" separates sub-sentences in the masks but not here.
        CaptionEncoding q = CaptionEncoder.encode("cat? dog");
        boolean[] qAll = new boolean[256];
        Arrays.fill(qAll, 0, 6, true);
        assertThat(q.phraseRemoveCombined(qAll, 1)).isEqualTo("cat? dog");
    }

    @Test
    void floatVariantsCompareStrictlyAndTakeTheFirstMaximum() {
        CaptionEncoding e = CaptionEncoder.encode("cat . dog .");
        float[] p = new float[256];
        p[1] = 0.5f;
        p[3] = 0.9f;
        p[4] = 0.7f;
        p[5] = 0.9f;
        assertThat(e.phrase(p, 0.5f)).isEqualTo("dog [SEP]");
        assertThat(e.phrase(p, 0.4f)).isEqualTo("cat dog [SEP]");
        assertThat(e.phraseRemoveCombined(p, 0.4f)).isEqualTo("dog"); // argmax 3; the tied column 5 would give ""
        p[2] = Float.NaN; // torch's argmax picks a NaN first
        assertThat(e.phraseRemoveCombined(p, 0.4f)).isEqualTo("cat");
    }

    @Test
    void phraseRejectsColumnsPastTheCaption() {
        CaptionEncoding e = CaptionEncoder.encode("cat");
        boolean[] posmap = new boolean[256];
        posmap[10] = true;
        assertThatThrownBy(() -> e.phrase(posmap))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column 10")
                .hasMessageContaining("only 4 tokens");
    }

    @Test
    void returnedArraysAreCopies() {
        CaptionEncoding e = CaptionEncoder.encode("cat . dog");
        e.inputIds()[1] = 7;
        e.positionIds()[2] = 7;
        e.selfAttentionMask()[1] = true;
        e.cateToTokenMask()[0][0] = true;
        assertThat(e.inputIds()[1]).isEqualTo(4937);
        assertThat(e.positionIds()[2]).isEqualTo(1);
        assertThat(e.selfAttentionMask()[1]).isFalse();
        assertThat(e.cateToTokenMask()[0][0]).isFalse();
        assertThatThrownBy(() -> e.tokens().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
