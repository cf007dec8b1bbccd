package dev.groundingdino.cli.web;

import dev.groundingdino.Detector;
import dev.groundingdino.cli.web.WebDemoOptions;
import dev.groundingdino.cli.web.WebDemoServer;
import java.nio.file.Path;

/** The Java snippets of docs/web-demo.md, compiled. */
final class WebDemoSnippets {
    private WebDemoSnippets() {}

    static void embed() throws InterruptedException {
        // tag::embed[]
        WebDemoOptions options = WebDemoOptions.defaults()
                .withAddress("127.0.0.1", 8080)
                .withLimits(10L << 20, 2048, 500)          // 10 MB uploads, 2048 px sides, 500-character prompts
                .withWorkers(1, 4);                        // one detection at a time, four waiting
        try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"));
             WebDemoServer server = WebDemoServer.start(detector, null, options)) {
            System.out.println("open " + server.uri());
            server.awaitClose();                           // until server.close() is called elsewhere
        }
        // end::embed[]
    }
}
