package dev.groundingdino.internal.text;

import dev.groundingdino.GroundingDinoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * BERT WordPiece tokenizer, a port of transformers 4.29 {@code models/bert/tokenization_bert.py::BertTokenizer} (the
 * slow tokenizer) as GroundingDINO builds it: {@code BertTokenizer(vocab, do_lower_case=True)}, basic tokenisation on,
 * Chinese characters split, accents stripped.
 *
 * <p>Pipeline of {@link #tokenize(String)}, each step with the reference's exact semantics:
 * <ol>
 *   <li>{@code PreTrainedTokenizer.tokenize}: every code point outside the special tokens {@code [UNK] [SEP] [PAD]
 *       [CLS] [MASK]} is lowercased on its own (Python {@code str.lower()} of one character; {@code "\n"} is left
 *       alone, as the reference's regex {@code .} does not match it);</li>
 *   <li>clean-up: NUL, U+FFFD and every {@code C*} character except tab, newline and carriage return are dropped;
 *       those three, the space and {@code Zs} characters become a space;</li>
 *   <li>spaces around CJK ideographs (the reference's code point ranges), then Python {@code str.split()};</li>
 *   <li>per word, unless it is a special token: Python {@code str.lower()}, NFD and removal of {@code Mn} marks, then
 *       a split around every punctuation character ({@code P*}, and ASCII 33-47, 58-64, 91-96, 123-126);</li>
 *   <li>WordPiece: greedy longest match first with {@code ##} continuations; a word of more than 100 code points, or
 *       one that cannot be covered, becomes {@code [UNK]}.</li>
 * </ol>
 * Characters are code points (a supplementary character counts once) and classified with the reference's Unicode
 * 14.0.0 data, whatever the JVM's Unicode version. Immutable and thread-safe.
 */
public final class BertTokenizer {
    public static final String UNK_TOKEN = "[UNK]";
    public static final String SEP_TOKEN = "[SEP]";
    public static final String PAD_TOKEN = "[PAD]";
    public static final String CLS_TOKEN = "[CLS]";
    public static final String MASK_TOKEN = "[MASK]";

    /** Longer words become {@code [UNK]} ({@code WordpieceTokenizer.max_input_chars_per_word}). */
    public static final int MAX_INPUT_CHARS_PER_WORD = 100;

    /** The bundled bert-base-uncased vocabulary (Google's BERT release, Apache-2.0). */
    static final String VOCAB_RESOURCE = "bert-base-uncased-vocab.txt";
    static final int BERT_BASE_UNCASED_SIZE = 30522;

    /** {@code all_special_tokens} in the reference's order. */
    private static final List<String> SPECIAL_TOKENS = List.of(UNK_TOKEN, SEP_TOKEN, PAD_TOKEN, CLS_TOKEN, MASK_TOKEN);

    private final Map<String, Integer> vocab;
    /** id -> token, {@code null} where the reference's {@code ids_to_tokens} has no entry (duplicate tokens). */
    private final String[] idToToken;
    private final int unkId;
    private final int clsId;
    private final int sepId;

    private BertTokenizer(List<String> vocabulary) {
        Map<String, Integer> map = new HashMap<>(vocabulary.size() * 2);
        for (int i = 0; i < vocabulary.size(); i++) {
            String token = Objects.requireNonNull(vocabulary.get(i), "vocabulary entry " + i + " is null");
            map.put(token, i); // a duplicate keeps its last index, like the reference's load_vocab
        }
        String[] ids = new String[vocabulary.size()];
        map.forEach((token, id) -> ids[id] = token);
        for (String required : List.of(UNK_TOKEN, CLS_TOKEN, SEP_TOKEN)) {
            if (!map.containsKey(required)) {
                throw new IllegalArgumentException("the vocabulary has no " + required
                        + " token; a BERT vocabulary needs [UNK], [CLS] and [SEP]");
            }
        }
        this.vocab = Collections.unmodifiableMap(map);
        this.idToToken = ids;
        this.unkId = map.get(UNK_TOKEN);
        this.clsId = map.get(CLS_TOKEN);
        this.sepId = map.get(SEP_TOKEN);
    }

    private static final class BertBaseUncased {
        static final BertTokenizer INSTANCE = loadBundled();
    }

    /** The tokenizer of {@code bert-base-uncased}, GroundingDINO's text encoder (bundled vocabulary, loaded once). */
    public static BertTokenizer bertBaseUncased() {
        return BertBaseUncased.INSTANCE;
    }

    /**
     * A tokenizer over another vocabulary, one token per entry, the id being the index (as a {@code vocab.txt} read by
     * the reference). It must contain {@code [UNK]}, {@code [CLS]} and {@code [SEP]}.
     */
    public static BertTokenizer fromVocabulary(List<String> vocabulary) {
        Objects.requireNonNull(vocabulary, "vocabulary");
        return new BertTokenizer(List.copyOf(vocabulary));
    }

    /** Number of ids (lines of the vocabulary file). */
    public int vocabularySize() {
        return idToToken.length;
    }

    /** The id of a token, or the id of {@code [UNK]} when the vocabulary lacks it ({@code convert_tokens_to_ids}). */
    public int id(String token) {
        Integer id = vocab.get(Objects.requireNonNull(token, "token"));
        return id == null ? unkId : id;
    }

    /** The token of an id, or {@code [UNK]} for an id the vocabulary does not have ({@code convert_ids_to_tokens}). */
    public String token(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            return UNK_TOKEN;
        }
        return idToToken[id];
    }

    /** Id of {@code [CLS]}. */
    public int clsId() {
        return clsId;
    }

    /** Id of {@code [SEP]}. */
    public int sepId() {
        return sepId;
    }

    /** Id of {@code [UNK]}. */
    public int unkId() {
        return unkId;
    }

    /** {@code tokenizer.tokenize(text)}: WordPiece tokens, without {@code [CLS]}/{@code [SEP]}. */
    public List<String> tokenize(String text) {
        Objects.requireNonNull(text, "text");
        List<String> out = new ArrayList<>();
        for (String word : basicTokenize(lowerOutsideSpecialTokens(text))) {
            wordPiece(word, out);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * {@code tokenizer(text)["input_ids"]}: {@code [CLS]}, the ids of {@link #tokenize(String)}, {@code [SEP]}; no
     * truncation and no padding.
     */
    public int[] encode(String text) {
        List<String> tokens = tokenize(text);
        int[] ids = new int[tokens.size() + 2];
        ids[0] = clsId;
        for (int i = 0; i < tokens.size(); i++) {
            ids[i + 1] = id(tokens.get(i));
        }
        ids[ids.length - 1] = sepId;
        return ids;
    }

    /**
     * {@code tokenizer.decode(ids)} of transformers 4.29 with its defaults: special tokens are kept, tokens are joined
     * with spaces, {@code " ##"} is removed, the result stripped (Python {@code str.strip()}), then the clean-up
     * replacements {@code " ." " ?" " !" " ,"} (space dropped), {@code " ' "} to {@code "'"}, and {@code " n't" " 'm"
     * " 's" " 've" " 're"} (space dropped). A piece that does not follow a space keeps its {@code ##}.
     */
    public String decode(int[] ids) {
        Objects.requireNonNull(ids, "ids");
        if (ids.length == 0) {
            return "";
        }
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                joined.append(' ');
            }
            joined.append(token(ids[i]));
        }
        String text = PythonStrings.strip(joined.toString().replace(" ##", ""));
        return text.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    /** The per-character lowercasing of {@code PreTrainedTokenizer.tokenize} that spares the special tokens. */
    static String lowerOutsideSpecialTokens(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        outer:
        while (i < text.length()) {
            for (String special : SPECIAL_TOKENS) {
                if (text.startsWith(special, i)) {
                    out.append(special);
                    i += special.length();
                    continue outer;
                }
            }
            int cp = text.codePointAt(i);
            if (cp == '\n') {
                out.append('\n');
            } else {
                PythonStrings.appendLower(cp, out);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** {@code BasicTokenizer.tokenize(text, never_split=all_special_tokens)}. */
    static List<String> basicTokenize(String text) {
        UnicodeTable table = UnicodeTable.get();
        StringBuilder cleaned = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(table, cp)) {
                continue;
            }
            if (isWhitespace(table, cp)) {
                cleaned.append(' ');
            } else if (isChineseChar(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        }
        StringBuilder pieces = new StringBuilder(cleaned.length() + 16);
        for (String word : PythonStrings.split(cleaned.toString())) {
            if (SPECIAL_TOKENS.contains(word)) {
                pieces.append(' ').append(word).append(' ');
                continue;
            }
            String normalized = stripAccents(table, PythonStrings.lower(word));
            for (int i = 0; i < normalized.length(); ) {
                int cp = normalized.codePointAt(i);
                i += Character.charCount(cp);
                if (isPunctuation(table, cp)) {
                    pieces.append(' ').appendCodePoint(cp).append(' ');
                } else {
                    pieces.appendCodePoint(cp);
                }
            }
            pieces.append(' ');
        }
        return PythonStrings.split(pieces.toString());
    }

    /** {@code WordpieceTokenizer.tokenize} of one basic token, appended to {@code out}. */
    private void wordPiece(String word, List<String> out) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > MAX_INPUT_CHARS_PER_WORD) {
            out.add(UNK_TOKEN);
            return;
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < cps.length) {
            String match = null;
            int end = cps.length;
            while (start < end) {
                String candidate = new String(cps, start, end - start);
                if (start > 0) {
                    candidate = "##" + candidate;
                }
                if (vocab.containsKey(candidate)) {
                    match = candidate;
                    break;
                }
                end--;
            }
            if (match == null) {
                out.add(UNK_TOKEN);
                return;
            }
            pieces.add(match);
            start = end;
        }
        out.addAll(pieces);
    }

    private static String stripAccents(UnicodeTable table, String word) {
        String nfd = Normalizer.normalize(word, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            i += Character.charCount(cp);
            if (table.classOf(cp) != UnicodeTable.NON_SPACING_MARK) {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /** {@code _is_control}: a {@code C*} character other than tab, newline and carriage return. */
    static boolean isControl(UnicodeTable table, int cp) {
        return cp != '\t' && cp != '\n' && cp != '\r' && table.classOf(cp) == UnicodeTable.CONTROL;
    }

    /** {@code _is_whitespace}: space, tab, newline, carriage return or a {@code Zs} character. */
    static boolean isWhitespace(UnicodeTable table, int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || table.classOf(cp) == UnicodeTable.SPACE_SEPARATOR;
    }

    /** {@code _is_punctuation}: every non-alphanumeric printable ASCII character, or a {@code P*} character. */
    static boolean isPunctuation(UnicodeTable table, int cp) {
        return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)
                || table.classOf(cp) == UnicodeTable.PUNCTUATION;
    }

    /** {@code BasicTokenizer._is_chinese_char}: the CJK ideograph blocks the reference lists. */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private static BertTokenizer loadBundled() {
        byte[] bytes;
        try (InputStream in = BertTokenizer.class.getResourceAsStream(VOCAB_RESOURCE)) {
            if (in == null) {
                throw new GroundingDinoException("bundled resource " + BertTokenizer.class.getPackageName() + "/"
                        + VOCAB_RESOURCE + " is missing from the class path; the groundingdino-core jar is "
                        + "incomplete, rebuild or re-download it");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new GroundingDinoException("cannot read the bundled " + VOCAB_RESOURCE + ": " + e.getMessage(), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new GroundingDinoException("the bundled " + VOCAB_RESOURCE + " is not valid UTF-8; the "
                    + "groundingdino-core jar is damaged, rebuild or re-download it", e);
        }
        List<String> lines = new ArrayList<>(BERT_BASE_UNCASED_SIZE);
        int start = 0;
        for (int nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) {
            lines.add(text.substring(start, nl));
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        if (lines.size() != BERT_BASE_UNCASED_SIZE || !CLS_TOKEN.equals(lines.get(101))) {
            throw new GroundingDinoException("the bundled " + VOCAB_RESOURCE + " has " + lines.size()
                    + " entries instead of " + BERT_BASE_UNCASED_SIZE + " or a wrong [CLS] id; the groundingdino-core "
                    + "jar is damaged, rebuild or re-download it");
        }
        return new BertTokenizer(lines);
    }
}
