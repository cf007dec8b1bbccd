package dev.groundingdino.internal.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The slow BertTokenizer port: bundled vocabulary, tokenisation edge cases (expectations derived by hand from the
 * reference algorithm and the bert-base-uncased vocabulary) and the decode semantics of transformers 4.29.
 */
class BertTokenizerTest {
    private static final BertTokenizer TOKENIZER = BertTokenizer.bertBaseUncased();

    private static List<String> tokenize(String text) {
        return TOKENIZER.tokenize(text);
    }

    private static int[] ids(String... tokens) {
        int[] out = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = TOKENIZER.id(tokens[i]);
            assertThat(TOKENIZER.token(out[i])).as("token %s must be in the vocabulary", tokens[i]).isEqualTo(tokens[i]);
        }
        return out;
    }

    private static String sha256(String resource) throws IOException, NoSuchAlgorithmException {
        try (InputStream in = BertTokenizer.class.getResourceAsStream(resource)) {
            assertThat(in).as("resource %s", resource).isNotNull();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }

    @Test
    void bundledVocabularyIsTheBertBaseUncasedFile() throws Exception {
        assertThat(sha256(BertTokenizer.VOCAB_RESOURCE))
                .isEqualTo("07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3");
        assertThat(TOKENIZER.vocabularySize()).isEqualTo(30522);
        assertThat(BertTokenizer.bertBaseUncased()).isSameAs(TOKENIZER);
    }

    @Test
    void bundledUnicodeTableIsTheGeneratedFile() throws Exception {
        // Regenerate with the script in README.md beside the resource, then update this hash.
        assertThat(sha256(UnicodeTable.RESOURCE))
                .isEqualTo("9411b292428d9cc70b9005cdef722c111c58eef856b04dd9c7326eafe0c8af18");
    }

    @Test
    void idsAndTokens() {
        assertThat(TOKENIZER.id("[PAD]")).isZero();
        assertThat(TOKENIZER.unkId()).isEqualTo(100);
        assertThat(TOKENIZER.clsId()).isEqualTo(101);
        assertThat(TOKENIZER.sepId()).isEqualTo(102);
        assertThat(TOKENIZER.id("[MASK]")).isEqualTo(103);
        assertThat(TOKENIZER.id(".")).isEqualTo(1012);
        assertThat(TOKENIZER.id("?")).isEqualTo(1029);
        assertThat(TOKENIZER.id("cat")).isEqualTo(4937);
        assertThat(TOKENIZER.id("no-such-token")).isEqualTo(100);
        assertThat(TOKENIZER.token(3899)).isEqualTo("dog");
        assertThat(TOKENIZER.token(30521)).isEqualTo("##～");
        assertThat(TOKENIZER.token(30522)).isEqualTo("[UNK]");
        assertThat(TOKENIZER.token(-1)).isEqualTo("[UNK]");
    }

    @Test
    void encodeAddsClsAndSep() {
        assertThat(TOKENIZER.encode("cat . dog .")).containsExactly(101, 4937, 1012, 3899, 1012, 102);
        assertThat(TOKENIZER.encode("")).containsExactly(101, 102);
    }

    @Test
    void lowercasesStripsAccentsAndSplitsWordPieces() {
        assertThat(tokenize("crème brûlée")).containsExactly("cr", "##eme", "br", "##ule", "##e");
        assertThat(tokenize("naïve Café")).containsExactly("naive", "cafe");
        assertThat(tokenize("hydrant skateboarder")).containsExactly("hydra", "##nt", "skate", "##board", "##er");
        assertThat(tokenize("unaffable")).containsExactly("una", "##ffa", "##ble");
        assertThat(tokenize("Ελλάδα")).containsExactly("ε", "##λ", "##λ", "##α", "##δ", "##α");
    }

    @Test
    void splitsEveryPunctuationCharacterIncludingAsciiSymbols() {
        assertThat(tokenize("Hello, World!")).containsExactly("hello", ",", "world", "!");
        assertThat(tokenize("$5^2 - x")).containsExactly("$", "5", "^", "2", "-", "x");
        assertThat(tokenize("¿Qué?")).containsExactly("¿", "que", "?");
        assertThat(tokenize("don’t")).containsExactly("don", "’", "t");
    }

    @Test
    void putsSpacesAroundCjkIdeographsOnly() {
        // Kanji are split one by one; katakana are not CJK ideographs and form one word.
        assertThat(tokenize("東京タワー")).containsExactly("東", "京", "タ", "##ワ", "##ー");
        // U+20000 (supplementary CJK extension B) is one character, split off, and not in the vocabulary.
        assertThat(tokenize("a\uD840\uDC00b")).containsExactly("a", "[UNK]", "b");
    }

    @Test
    void dropsControlCharactersAndNormalisesWhitespace() {
        assertThat(tokenize("ca\u0000t d\u0007o\u200Bg \uFFFDfish")).containsExactly("cat", "dog", "fish");
        assertThat(tokenize("cat\t\tdog\n\r  fish\u00A0bird\u3000tree"))
                .containsExactly("cat", "dog", "fish", "bird", "tree");
        // Vertical tab is a control character (Cc), not whitespace: it is dropped and joins the words.
        assertThat(tokenize("cat\u000Bdog")).containsExactly("cat", "##dog");
        // U+2028 (Zl) survives the clean-up but Python's str.split() splits on it.
        assertThat(tokenize("cat\u2028dog")).containsExactly("cat", "dog");
        assertThat(tokenize("")).isEmpty();
        assertThat(tokenize(" \t\n ")).isEmpty();
        assertThat(tokenize("\u0301")).isEmpty(); // a lone combining mark vanishes with the accents
    }

    @Test
    void wordsLongerThanOneHundredCharactersAreUnknown() {
        List<String> hundred = tokenize("a".repeat(100));
        assertThat(hundred).doesNotContain("[UNK]").startsWith("aaa", "##aa").endsWith("##a").hasSize(50);
        assertThat(tokenize("a".repeat(101))).containsExactly("[UNK]");
        assertThat(tokenize("cat " + "b".repeat(101) + " dog")).containsExactly("cat", "[UNK]", "dog");
    }

    @Test
    void countsCodePointsNotUtf16Units() {
        // 50 emoji = 100 UTF-16 chars but 50 characters: not over the limit, yet not in the vocabulary.
        assertThat(tokenize("\uD83D\uDC31".repeat(50))).containsExactly("[UNK]");
        assertThat(tokenize("cat\uD83D\uDC31dog")).containsExactly("[UNK]");
        assertThat(tokenize("\uD83D\uDC31 cat")).containsExactly("[UNK]", "cat");
    }

    @Test
    void usesTheReferencesUnicodeVersionNotTheJvms() {
        // U+1FAE0 MELTING FACE is new in Unicode 14 (the reference's): a symbol, kept, unknown word.
        assertThat(tokenize("cat \uD83E\uDEE0")).containsExactly("cat", "[UNK]");
        // U+1FAE8 SHAKING FACE is new in Unicode 15: unassigned for the reference, dropped as a control character.
        assertThat(tokenize("cat\uD83E\uDEE8")).containsExactly("cat");
        UnicodeTable table = UnicodeTable.get();
        assertThat(table.classOf(0x1734)).isEqualTo(UnicodeTable.OTHER); // Mc in Unicode 14 (Mn in Java 17)
        assertThat(table.classOf(0x0301)).isEqualTo(UnicodeTable.NON_SPACING_MARK);
        assertThat(table.classOf(0x00A0)).isEqualTo(UnicodeTable.SPACE_SEPARATOR);
        assertThat(table.classOf(0x2028)).isEqualTo(UnicodeTable.OTHER); // Zl
        assertThat(table.classOf(0x00BF)).isEqualTo(UnicodeTable.PUNCTUATION);
        assertThat(table.classOf('$')).isEqualTo(UnicodeTable.OTHER); // Sc; punctuation only by its ASCII range
        assertThat(table.classOf(0xE000)).isEqualTo(UnicodeTable.CONTROL); // Co
        assertThat(table.classOf(0x10FFFF)).isEqualTo(UnicodeTable.CONTROL); // Cn
    }

    @Test
    void unicodeTableAgreesWithTheJvmWhereBothKnowTheCharacter() {
        // Java 17 implements Unicode 13: every character it knows has the same class and lowercase as in Unicode 14,
        // except U+1734, re-categorised from Mn to Mc in Unicode 14. Newer JVMs re-categorise a few more.
        Assumptions.assumeTrue(Runtime.version().feature() == 17, "checked on Java 17 only");
        UnicodeTable table = UnicodeTable.get();
        int compared = 0;
        StringBuilder mismatches = new StringBuilder();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int type = Character.getType(cp);
            if (type == Character.UNASSIGNED || type == Character.SURROGATE) {
                continue;
            }
            compared++;
            byte expected = switch (type) {
                case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE -> UnicodeTable.CONTROL;
                case Character.SPACE_SEPARATOR -> UnicodeTable.SPACE_SEPARATOR;
                case Character.NON_SPACING_MARK -> UnicodeTable.NON_SPACING_MARK;
                case Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                        Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION,
                        Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION ->
                        UnicodeTable.PUNCTUATION;
                default -> UnicodeTable.OTHER;
            };
            String one = new String(Character.toChars(cp));
            boolean lowerDiffers = !PythonStrings.lower(one).equals(one.toLowerCase(Locale.ROOT));
            if ((table.classOf(cp) != expected && cp != 0x1734) || lowerDiffers) {
                mismatches.append(String.format("U+%04X ", cp));
            }
        }
        assertThat(compared).isGreaterThan(280_000);
        assertThat(mismatches.toString()).isEmpty();
    }

    @Test
    void lowercasesLikePythonStrLower() {
        // Final sigma by Case_Ignorable runs (Java's toLowerCase uses word boundaries and gives "a1ς").
        assertThat(PythonStrings.lower("A1Σ")).isEqualTo("a1σ");
        assertThat(PythonStrings.lower("A.Σ")).isEqualTo("a.ς");
        assertThat(PythonStrings.lower("ΟΔΟΣ")).isEqualTo("οδος");
        assertThat(PythonStrings.lower("ΣΑ")).isEqualTo("σα");
        assertThat(PythonStrings.lower("İ")).isEqualTo("i\u0307");
        // The tokenizer lowercases one character at a time first (sigma never final), then whole words.
        assertThat(tokenize("ΟΔΟΣ")).containsExactly("ο", "##δ", "##ο", "##σ");
        assertThat(tokenize("οδος")).containsExactly("ο", "##δ", "##ος");
        assertThat(tokenize("İstanbul")).containsExactly("istanbul");
    }

    @Test
    void stripsAndSplitsLikePython() {
        assertThat(PythonStrings.strip("\u00A0\u2007 cat \u202F\u0085")).isEqualTo("cat");
        assertThat(PythonStrings.strip("\u200Bcat")).isEqualTo("\u200Bcat"); // ZWSP is not whitespace
        assertThat(PythonStrings.split("  a\u2029b\u001Cc  ")).containsExactly("a", "b", "c");
        assertThat(PythonStrings.split(" ")).isEmpty();
    }

    @Test
    void specialTokensSurviveOnlyAsSeparateUppercaseWords() {
        assertThat(tokenize("Hello [CLS] World")).containsExactly("hello", "[CLS]", "world");
        assertThat(tokenize("a [MASK] b [PAD]")).containsExactly("a", "[MASK]", "b", "[PAD]");
        assertThat(tokenize("a[SEP]b")).containsExactly("a", "[", "sep", "]", "b");
        assertThat(tokenize("[cls]")).containsExactly("[", "cl", "##s", "]");
    }

    @Test
    void decodeJoinsPiecesOnlyAfterASpace() {
        assertThat(TOKENIZER.decode(ids("skate", "##er", "hydra", "##nt"))).isEqualTo("skateer hydrant");
        assertThat(TOKENIZER.decode(ids("##nt"))).isEqualTo("##nt");
        assertThat(TOKENIZER.decode(ids("##s", "cat"))).isEqualTo("##s cat");
        assertThat(TOKENIZER.decode(new int[0])).isEmpty();
        assertThat(TOKENIZER.decode(new int[] {101, 4937, 1012, 102})).isEqualTo("[CLS] cat. [SEP]");
        assertThat(TOKENIZER.decode(new int[] {1012, 102})).isEqualTo(". [SEP]");
        assertThat(TOKENIZER.decode(new int[] {4937, 99999, -5})).isEqualTo("cat [UNK] [UNK]");
    }

    @Test
    void decodeAppliesTheCleanUpReplacements() {
        assertThat(TOKENIZER.decode(ids("cat", "."))).isEqualTo("cat.");
        assertThat(TOKENIZER.decode(ids("what", "?"))).isEqualTo("what?");
        assertThat(TOKENIZER.decode(ids("wow", "!"))).isEqualTo("wow!");
        assertThat(TOKENIZER.decode(ids("a", ",", "b"))).isEqualTo("a, b");
        assertThat(TOKENIZER.decode(ids("i", "'", "m"))).isEqualTo("i'm"); // " ' " -> "'"
        assertThat(TOKENIZER.decode(ids("do", "n", "'", "t"))).isEqualTo("don't"); // " ' ", then " n't"
        assertThat(TOKENIZER.decode(ids("i", "'", "##m"))).isEqualTo("i'm"); // " 'm"
        assertThat(TOKENIZER.decode(ids("it", "'", "##s"))).isEqualTo("it's"); // " 's"
        assertThat(TOKENIZER.decode(ids("we", "'", "##ve"))).isEqualTo("we've"); // " 've"
        assertThat(TOKENIZER.decode(ids("they", "'", "##re"))).isEqualTo("they're"); // " 're"
    }

    @Test
    void customVocabulary() {
        BertTokenizer tiny = BertTokenizer.fromVocabulary(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff",
                "##able", "aff"));
        assertThat(tiny.tokenize("Unaffable affable")).containsExactly("un", "##aff", "##able", "aff", "##able");
        assertThat(tiny.encode("unaffable xyz")).containsExactly(2, 4, 5, 6, 1, 3);
        assertThatThrownBy(() -> BertTokenizer.fromVocabulary(List.of("[CLS]", "[SEP]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[UNK]");
    }
}
