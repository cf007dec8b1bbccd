package dev.groundingdino.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.groundingdino.Tokenization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gdino tokenize "<caption>"}: the caption as GroundingDINO's text encoder sees it, as JSON. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Prints how GroundingDINO tokenizes a caption, as JSON.",
                "",
                "The preprocessed caption (lowercased, stripped, ending with '.'), BERT tokens and ids, the "
                        + "sub-sentence position ids, the phrases with their token spans [start, end), and whether "
                        + "the model truncates it to 256 tokens."})
final class TokenizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAPTION", description = "The caption, e.g. \"cat . dog\".")
    String caption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (caption.isBlank()) {
            throw new UsageException("CAPTION is empty; give the objects to find, e.g. \"cat . dog\"");
        }
        Tokenization enc = Tokenization.of(caption);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("caption", enc.caption());
        out.put("tokens", enc.tokens());
        out.put("input_ids", enc.inputIds());
        out.put("position_ids", enc.positionIds());
        out.put("num_tokens", enc.size());
        out.put("truncated_to_max_text_len", enc.truncated());
        List<Map<String, Object>> phrases = new ArrayList<>();
        for (Tokenization.Phrase p : enc.phrases()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", p.text());
            m.put("token_span", new int[] {p.start(), p.end()});
            phrases.add(m);
        }
        out.put("phrases", phrases);
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
