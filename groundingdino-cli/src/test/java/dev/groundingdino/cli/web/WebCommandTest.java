package dev.groundingdino.cli.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.cli.Gdino;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code gdino web}: its help, option checks, and a real start on the demo model that an interrupt stops. */
class WebCommandTest {
    @Test
    void helpListsTheOptions() {
        StringWriter out = new StringWriter();
        int code = Gdino.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "web", "--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("--weights", "--sam-weights", "--host", "--port", "--max-upload-mb",
                "--max-image-side", "--workers", "127.0.0.1", "7860");
    }

    @Test
    void badOptionsExitWithAMessage() {
        StringWriter err = new StringWriter();
        int code = Gdino.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "web",
                "--weights", "demo", "--max-upload-mb", "0");
        assertThat(code).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(err.toString()).contains("--max-upload-mb must be in 1..1024");

        err = new StringWriter();
        code = Gdino.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "web",
                "--weights", "no-such-file.pth", "--port", "0");
        assertThat(code).isEqualTo(Gdino.EXIT_USAGE_ERROR);
        assertThat(err.toString()).contains("gdino web: --weights no-such-file.pth: no such file");
    }

    @Test
    void aPortInUseExitsWithAMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            int code = Gdino.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "web",
                    "--weights", "demo", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(code).isEqualTo(Gdino.EXIT_INPUT_ERROR);
            assertThat(err.toString()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(),
                    "choose another --port");
        }
    }

    @Test
    void startsOnTheDemoModelAndSaysSoUntilInterrupted() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread web = new Thread(() -> exit.set(Gdino.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "web", "--weights", "demo", "--port", "0", "--workers", "1")), "gdino-web-test");
        web.start();
        try {
            Pattern url = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/)");
            String started = null;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (started == null && web.isAlive() && System.nanoTime() < deadline) {
                Matcher m = url.matcher(out.toString());
                if (m.find()) {
                    started = m.group(1);
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(started).as("started; stdout: " + out + " stderr: " + err).isNotNull();
            assertThat(out.toString()).contains("random-weight demo", "finds nothing meaningful");
            HttpResponse<String> info = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(started + "api/info")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = new ObjectMapper().readTree(info.body());
            assertThat(json.get("demo").asBoolean()).isTrue();
        } finally {
            web.interrupt();
            web.join(30_000);
        }
        assertThat(web.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
    }
}
