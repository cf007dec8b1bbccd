package dev.groundingdino.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {

    @Test
    void printsTokensIdsPositionsAndPhrasesOfEveryGoldenCase() throws Exception {
        for (Path caseDir : Golden.gdinoCases()) {
            JsonNode golden = Golden.json(caseDir.resolve("case.json"));
            CliRun run = CliRun.of("tokenize", golden.get("caption_raw").asText());
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode out = new ObjectMapper().readTree(run.out());
            assertThat(out.get("caption")).isEqualTo(golden.get("caption"));
            assertThat(out.get("tokens")).isEqualTo(golden.get("tokens"));
            assertThat(out.get("input_ids")).isEqualTo(golden.get("input_ids"));
            assertThat(out.get("position_ids")).isEqualTo(golden.get("position_ids"));
            assertThat(out.get("truncated_to_max_text_len")).isEqualTo(golden.get("truncated_to_max_text_len"));
        }
    }

    @Test
    void phrasesCarryTheirTokenSpans() throws Exception {
        CliRun run = CliRun.of("tokenize", "Cat . Hot dog");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode out = new ObjectMapper().readTree(run.out());
        assertThat(out.get("caption").asText()).isEqualTo("cat . hot dog.");
        assertThat(out.get("tokens").toString()).isEqualTo("[\"[CLS]\",\"cat\",\".\",\"hot\",\"dog\",\".\",\"[SEP]\"]");
        assertThat(out.get("position_ids").toString()).isEqualTo("[0,0,1,0,1,2,0]");
        JsonNode phrases = out.get("phrases");
        assertThat(phrases).hasSize(2);
        assertThat(phrases.get(0).get("text").asText()).isEqualTo("cat");
        assertThat(phrases.get(0).get("token_span").toString()).isEqualTo("[1,2]");
        assertThat(phrases.get(1).get("text").asText()).isEqualTo("hot dog");
        assertThat(phrases.get(1).get("token_span").toString()).isEqualTo("[3,5]");
    }

    @Test
    void blankCaptionIsAUserErrorWithAMessage() {
        CliRun run = CliRun.of("tokenize", "   ");
        assertThat(run.exitCode()).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(run.err()).contains("gdino tokenize: CAPTION is empty").doesNotContain("Exception");
    }

    @Test
    void missingArgumentIsAUsageError() {
        CliRun run = CliRun.of("tokenize");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("CAPTION");
    }
}
