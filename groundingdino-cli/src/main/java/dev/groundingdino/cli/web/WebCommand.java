package dev.groundingdino.cli.web;

import dev.groundingdino.Detector;
import dev.groundingdino.cli.ModelOptions;
import dev.groundingdino.cli.UsageException;
import dev.groundingdino.sam.Segmenter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gdino web}: starts the web demo ({@link WebDemoServer}) and serves it until Ctrl-C. Without weights it runs
 * the cached official Swin-T checkpoint if present, else the random-weight demo model (and the page says so).
 */
@Command(name = "web", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Starts the web demo in the browser.",
                "",
                "A page to upload an image, name the objects to detect, set the thresholds and see the annotated "
                        + "result (and SAM masks with --sam-weights). Serves http://127.0.0.1:7860/ by default (this "
                        + "machine only); Ctrl-C stops it."})
public final class WebCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--sam-weights", paramLabel = "S",
            description = "a Segment Anything or SAM 2.1 checkpoint (sam_vit_b/l/h .pth, sam2.1_hiera_*.pt, .safetensors): adds the page's "
                    + "'Segment with SAM' switch")
    Path samWeights;

    @Option(names = "--host", paramLabel = "ADDR",
            description = "address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 opens the demo "
                    + "to the network)")
    String host = WebDemoOptions.DEFAULT_HOST;

    @Option(names = "--port", paramLabel = "P", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free port)")
    int port = WebDemoOptions.DEFAULT_PORT;

    @Option(names = "--max-upload-mb", paramLabel = "MB",
            description = "largest accepted upload in MiB (default ${DEFAULT-VALUE})")
    int maxUploadMb = (int) (WebDemoOptions.DEFAULT_MAX_UPLOAD_BYTES >> 20);

    @Option(names = "--max-image-side", paramLabel = "PX",
            description = "largest accepted image width and height in pixels (default ${DEFAULT-VALUE})")
    int maxImageSide = WebDemoOptions.DEFAULT_MAX_IMAGE_SIDE;

    @Option(names = "--workers", paramLabel = "N",
            description = "detections running at the same time, sharing one model (default ${DEFAULT-VALUE})")
    int workers = WebDemoOptions.DEFAULT_WORKERS;

    @Option(names = "--queue", paramLabel = "N",
            description = "requests that may wait for a worker before the server answers 'busy' "
                    + "(default ${DEFAULT-VALUE})")
    int queue = WebDemoOptions.DEFAULT_QUEUE_CAPACITY;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (maxUploadMb < 1 || maxUploadMb > 1024) {
            throw new UsageException("--max-upload-mb must be in 1..1024, got " + maxUploadMb);
        }
        if (samWeights != null && !java.nio.file.Files.isRegularFile(samWeights)) {
            throw new UsageException("--sam-weights " + samWeights + ": no such file");
        }
        model.check("gdino web", err);
        WebDemoOptions options = new WebDemoOptions(host, port, (long) maxUploadMb << 20, maxImageSide,
                WebDemoOptions.DEFAULT_MAX_PROMPT_CHARS, workers, queue);
        if (!isLoopback(host)) {
            err.println("gdino web: listening on " + host + ": other machines can reach the demo and use this "
                    + "machine's CPU/GPU. Use --host 127.0.0.1 to keep it local.");
        }
        try (Detector detector = model.detectorBuilder().build();
                Segmenter segmenter = samWeights == null ? null : Segmenter.builder(samWeights)
                        .device(model.device()).precision(model.precision()).build();
                WebDemoServer server = start(detector, segmenter, options)) {
            Thread hook = new Thread(server::close, "web-demo-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("GroundingDINO web demo: " + server.uri() + "  (model " + detector.variant()
                    + (detector.isDemo() ? ": it finds nothing meaningful" : "")
                    + (segmenter != null ? ", SAM " + segmenter.variant() : "") + "; Ctrl-C stops it)");
            out.flush();
            try {
                server.awaitClose();
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook closes the server
            }
        }
        return 0;
    }

    /** Starts the server; an address that cannot be bound is a problem of the inputs (exit code 1). */
    private static WebDemoServer start(Detector detector, Segmenter segmenter, WebDemoOptions options) {
        try {
            return WebDemoServer.start(detector, segmenter, options);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new UsageException("--host " + host + " is not a known address of this machine; use "
                    + "127.0.0.1 (default) or 0.0.0.0");
        }
    }
}
