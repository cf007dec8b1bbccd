package dev.groundingdino.internal.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.PromptException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The split of long class lists, checked against the tokenizer on the joined captions themselves. */
class ClassListChunkerTest {
    private static final String[] WORDS = {"cat", "dog", "car", "tree", "house", "person", "chair", "table", "bottle",
        "cup", "phone", "book", "clock", "bird", "horse", "sheep", "cow", "bus", "train", "boat", "red", "blue",
        "green", "small", "large", "old", "wooden", "metal", "toaster", "umbrella", "giraffe", "microwave"};

    /** The words the tokenizer keeps whole (one token each). */
    private static final String[] SINGLE = java.util.Arrays.stream(WORDS).filter(w -> ClassListChunker.cost(w) == 2)
            .toArray(String[]::new);

    /** {@code n} names of {@code words} one-token words each ({@code words} tokens). */
    static List<String> names(int n, int words) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int x = i;
            for (int w = 0; w < words; w++) {
                sb.append(w == 0 ? "" : " ").append(SINGLE[x % SINGLE.length]);
                x = x / SINGLE.length + 7 * w + 1;
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** Random names of 1 to 6 words, some with word pieces and punctuation other than '.' and '?'. */
    static List<String> randomNames(long seed, int n) {
        Random r = new Random(seed);
        String[] extra = {"hot-dog", "t-shirt", "teddy_bear", "ice cream", "café", "mother's day", "snowboarding",
            "x-ray machine", "(shoe)", "wine glass", "baseball glove"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (r.nextInt(5) == 0) {
                out.add(extra[r.nextInt(extra.length)]);
                continue;
            }
            int words = 1 + r.nextInt(6);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                sb.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            }
            out.add(r.nextBoolean() ? sb.toString() : sb.toString().toUpperCase());
        }
        return out;
    }

    static int captionTokens(List<String> classes) {
        return CaptionEncoder.encode(String.join(". ", classes)).length();
    }

    /** Chunks cover the list in order, each fits, and none could take the next class (the longest runs). */
    static void assertMaximalChunks(List<String> classes, List<ClassListChunker.Range> chunks) {
        int next = 0;
        for (ClassListChunker.Range r : chunks) {
            assertThat(r.first()).isEqualTo(next);
            List<String> chunk = classes.subList(r.first(), r.end());
            int tokens = captionTokens(chunk);
            assertThat(tokens).as("chunk %s", r).isEqualTo(r.tokens()).isLessThanOrEqualTo(256);
            if (r.end() < classes.size()) {
                assertThat(captionTokens(classes.subList(r.first(), r.end() + 1))).as("chunk %s plus one", r)
                        .isGreaterThan(256);
            }
            next = r.end();
        }
        assertThat(next).isEqualTo(classes.size());
    }

    @Test
    void aListThatFitsIsOneChunk() {
        List<String> coco = names(80, 1);
        List<ClassListChunker.Range> chunks = ClassListChunker.split(coco);
        assertThat(chunks).containsExactly(new ClassListChunker.Range(0, 80, captionTokens(coco)));
        assertThat(ClassListChunker.split(List.of())).isEmpty();
    }

    @Test
    void exactly256TokensIsOneChunkAndOneMoreClassSplits() {
        List<String> classes = new ArrayList<>(List.of("cat")); // cost 2
        classes.addAll(names(84, 2)); // cost 3 each: 2 + 2 + 84 * 3 = 256
        assertThat(captionTokens(classes)).isEqualTo(256);
        assertThat(ClassListChunker.split(classes)).containsExactly(new ClassListChunker.Range(0, 85, 256));

        classes.add("dog");
        List<ClassListChunker.Range> chunks = ClassListChunker.split(classes);
        assertThat(chunks).containsExactly(new ClassListChunker.Range(0, 85, 256),
                new ClassListChunker.Range(85, 86, 4));
        assertMaximalChunks(classes, chunks);
    }

    @Test
    void aClassStraddlingToken256MovesWholeToTheNextChunk() {
        List<String> classes = new ArrayList<>(List.of("cat"));
        classes.addAll(names(84, 2));
        classes.add(SINGLE[0] + " " + SINGLE[1] + " " + SINGLE[2]); // tokens 255, 256, 257 of the joined caption
        classes.addAll(names(10, 1));
        CaptionEncoding whole = CaptionEncoder.encode(String.join(". ", classes));
        CaptionEncoding.Phrase straddling = whole.phrases().get(85);
        assertThat(straddling.start()).isLessThan(256);
        assertThat(straddling.end()).isGreaterThan(256);

        List<ClassListChunker.Range> chunks = ClassListChunker.split(classes);
        assertThat(chunks).extracting(ClassListChunker.Range::first).containsExactly(0, 85);
        assertMaximalChunks(classes, chunks);
    }

    @Test
    void longRandomListsSplitIntoMaximalChunks() {
        for (long seed = 1; seed <= 5; seed++) {
            List<String> classes = randomNames(seed, 400);
            List<ClassListChunker.Range> chunks = ClassListChunker.split(classes);
            assertThat(chunks).hasSizeGreaterThan(3);
            assertMaximalChunks(classes, chunks);
        }
    }

    @Test
    void aSingleClassOver256TokensIsAnErrorNamingIt() {
        String huge = String.join(" ", names(260, 1));
        List<String> classes = List.of("cat", huge, "dog");
        assertThatThrownBy(() -> ClassListChunker.split(classes)).isInstanceOf(PromptException.class)
                .hasMessageContaining("class 1 (\"" + SINGLE[0] + " " + SINGLE[1])
                .hasMessageContaining("260 tokens").hasMessageContaining("at most 256");

        String fits = String.join(" ", names(253, 1)); // 253 tokens + '.' + [CLS] + [SEP] = 256
        assertThat(ClassListChunker.split(List.of("cat", fits, "dog"))).extracting(ClassListChunker.Range::size)
                .containsExactly(1, 1, 1);
    }
}
