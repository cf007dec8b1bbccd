package dev.groundingdino.cli.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.groundingdino.Annotator;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.GroundingDinoException;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.OptionException;
import dev.groundingdino.PromptException;
import dev.groundingdino.sam.CocoRle;
import dev.groundingdino.sam.Mask;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.MaskOverlay;
import dev.groundingdino.sam.Segmenter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GroundingDINO web demo: an embedded HTTP server (the JDK's {@code com.sun.net.httpserver}) serving one page
 * where a user uploads an image, types the objects to detect, sets the box and text thresholds and gets the
 * annotated image with a summary line {@code "Found N objects: a, b, c"} (optionally with SAM masks).
 *
 * <p>Routes: {@code GET /} (the page, its {@code app.js} and {@code style.css}), {@code GET /api/info} (the model
 * and the limits, JSON), {@code POST /api/detect?prompt=..&box=..&text=..&sam=..} with the image file as the request
 * body (JSON: summary, detections, the annotated image as a {@code data:} URL; errors as {@code {"error": ...}}
 * with a 4xx/5xx status and a message meant for the page, never a stack trace).
 *
 * <p>Every request shares the one {@link Detector} (and {@link Segmenter}) given to {@link #start}; detections run
 * on a pool of {@link WebDemoOptions#workers()} threads with {@link WebDemoOptions#queueCapacity()} waiting places,
 * beyond which requests get 503 "busy". The server does not own the models: close them after the server.
 */
public final class WebDemoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebDemoServer.class);
    private static final String RESOURCES = "/dev/groundingdino/cli/web/";
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/app.js", "app.js",
            "/style.css", "style.css");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");
    /** The page's default prompt. */
    public static final String DEFAULT_PROMPT = "person . car . dog";
    private static final float JPEG_QUALITY = 0.92f;

    private final Detector detector;
    private final Segmenter segmenter;
    private final WebDemoOptions options;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ThreadPoolExecutor workers;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, byte[]> resources;
    private final CountDownLatch closed = new CountDownLatch(1);

    private WebDemoServer(Detector detector, Segmenter segmenter, WebDemoOptions options) throws IOException {
        this.detector = detector;
        this.segmenter = segmenter;
        this.options = options;
        this.resources = loadResources();
        this.workers = new ThreadPoolExecutor(options.workers(), options.workers(), 0, TimeUnit.SECONDS,
                options.queueCapacity() == 0 ? new SynchronousQueue<>()
                        : new ArrayBlockingQueue<>(options.queueCapacity()),
                daemonThreads("web-demo-detect-"), new ThreadPoolExecutor.AbortPolicy());
        // request threads: enough for every admitted detection plus two for pages and "busy" answers
        this.httpThreads = Executors.newFixedThreadPool(options.workers() + options.queueCapacity() + 2,
                daemonThreads("web-demo-http-"));
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 50);
        server.setExecutor(httpThreads);
        server.createContext("/", this::handle);
    }

    /**
     * Starts the demo on {@code options.host():options.port()} (port 0: any free port, see {@link #port()}).
     *
     * @param detector the GroundingDINO model every request uses (thread-safe; not closed by the server)
     * @param segmenter the SAM model behind the page's "segment with SAM" switch, or null for none
     * @throws UncheckedIOException if the address cannot be bound (e.g. the port is in use)
     */
    public static WebDemoServer start(Detector detector, Segmenter segmenter, WebDemoOptions options) {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(options, "options");
        WebDemoServer demo;
        try {
            demo = new WebDemoServer(detector, segmenter, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + options.host() + ":" + options.port() + " (" + e
                    + "); choose another --port, or 0 for any free port", e);
        }
        demo.server.start();
        LOG.info("web demo listening on {} ({} workers, {} waiting places)", demo.uri(), options.workers(),
                options.queueCapacity());
        return demo;
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:7860/}. */
    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Blocks until {@link #close()} is called (from another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops accepting requests, lets running ones finish (up to 5 s) and stops the threads. Idempotent; the models
     * stay open.
     */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        server.stop(1);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        httpThreads.shutdownNow();
        closed.countDown();
    }

    // ------------------------------------------------------------------------------------------------ routing

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            try {
                if (path.equals("/api/detect")) {
                    requireMethod(method, "POST");
                    sendJson(exchange, 200, detect(exchange));
                } else if (path.equals("/api/info")) {
                    requireMethod(method, "GET");
                    sendJson(exchange, 200, info());
                } else if (STATIC.containsKey(path)) {
                    requireMethod(method, "GET");
                    String name = STATIC.get(path);
                    send(exchange, 200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), resources.get(name));
                } else {
                    throw new WebProblem(404, "Nothing here: " + path + ". The demo page is at /.");
                }
            } catch (WebProblem p) {
                discardBody(exchange);
                sendError(exchange, p.status(), p.getMessage());
            } catch (RuntimeException | Error e) {
                LOG.error("{} {} failed", method, path, e);
                discardBody(exchange);
                sendError(exchange, 500, "Internal error (" + e.getClass().getSimpleName() + "); the server log has "
                        + "the details.");
            }
        } catch (IOException e) {
            LOG.debug("could not answer {}: {}", exchange.getRequestURI(), e.toString()); // client went away
        } finally {
            exchange.close();
        }
    }

    /**
     * Reads what is left of the request body (up to twice the upload limit) before an error is answered: closing a
     * connection with unread data resets it, and the client would lose the answer explaining the problem.
     */
    private void discardBody(HttpExchange exchange) {
        try (InputStream in = exchange.getRequestBody()) {
            long budget = 2 * options.maxUploadBytes() + (1 << 20);
            byte[] sink = new byte[1 << 16];
            for (int n; budget > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, budget))) > 0; ) {
                budget -= n;
            }
        } catch (IOException e) {
            // already read and closed (the upload was checked), or the client went away: nothing left to read
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new WebProblem(405, method + " is not supported here; use " + expected + ".");
        }
    }

    private ObjectNode info() {
        ObjectNode node = json.createObjectNode();
        node.put("model", detector.variant());
        node.put("demo", detector.isDemo());
        node.put("device", detector.device().toString());
        node.put("precision", detector.precision().toString());
        node.put("sam", segmenter != null);
        if (segmenter != null) {
            node.put("samVariant", segmenter.variant());
        }
        node.put("defaultPrompt", DEFAULT_PROMPT);
        node.put("boxThreshold", Detector.DEFAULT_BOX_THRESHOLD);
        node.put("textThreshold", Detector.DEFAULT_TEXT_THRESHOLD);
        node.put("minThreshold", DetectRequest.MIN_THRESHOLD);
        node.put("maxThreshold", DetectRequest.MAX_THRESHOLD);
        node.put("maxUploadBytes", options.maxUploadBytes());
        node.put("maxImageSide", options.maxImageSide());
        node.put("maxPromptChars", options.maxPromptChars());
        node.put("acceptedFormats", UploadedImage.ACCEPTED);
        return node;
    }

    // ------------------------------------------------------------------------------------------------ detection

    private ObjectNode detect(HttpExchange exchange) throws IOException {
        byte[] body = readBody(exchange);
        String boundary = MultipartForm.boundary(exchange.getRequestHeaders().getFirst("Content-Type"));
        Map<String, String> fields = Map.of();
        if (boundary != null) { // a form upload (browser form, curl -F image=@cat.jpg -F prompt="cat")
            MultipartForm form = MultipartForm.parse(body, boundary);
            if (form.file() == null) {
                throw new WebProblem(400, "The form has no file part: send the image as a file field (e.g. curl -F "
                        + "image=@photo.jpg) or as the raw request body.");
            }
            body = form.file();
            fields = form.fields();
        }
        DetectRequest request = DetectRequest.parse(exchange.getRequestURI().getRawQuery(), fields,
                options.maxPromptChars());
        if (request.segment() && segmenter == null) {
            throw new WebProblem(400, "SAM is not configured on this server; start the demo with --sam-weights "
                    + "FILE to segment, or switch segmentation off.");
        }
        UploadedImage image = UploadedImage.check(body, options.maxImageSide());
        Future<ObjectNode> answer;
        try {
            answer = workers.submit(() -> run(image, request));
        } catch (RejectedExecutionException e) {
            throw new WebProblem(503, "The server is busy (" + workers.getActiveCount() + " detections running, "
                    + workers.getQueue().size() + " waiting); try again in a moment.");
        }
        try {
            return answer.get();
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new WebProblem(503, "The server is shutting down; try again later.");
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    /** Reads the uploaded file, refusing more than the upload limit (413) before and while reading. */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        long limit = options.maxUploadBytes();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw new WebProblem(400, "Bad Content-Length header: " + declared);
            }
            if (length > limit) {
                throw new WebProblem(413, tooLarge(length + " bytes"));
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw new WebProblem(413, tooLarge("more than " + limit + " bytes"));
            }
            return body;
        }
    }

    private String tooLarge(String size) {
        return String.format(Locale.ROOT, "The upload is %s; this server accepts images of at most %s. Upload a "
                + "smaller file.", size, megabytes(options.maxUploadBytes()));
    }

    /** A size for people: {@code "20 MB"}, {@code "1.5 MB"}, {@code "256 KB"}, {@code "900 bytes"}. */
    static String megabytes(long bytes) {
        long[] units = {1 << 20, 1 << 10};
        String[] names = {"MB", "KB"};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= units[i]) {
                return bytes % units[i] == 0 ? bytes / units[i] + " " + names[i]
                        : String.format(Locale.ROOT, "%.1f %s", bytes / (double) units[i], names[i]);
            }
        }
        return bytes + " bytes";
    }

    /** Runs on a worker: detect (and segment), draw, encode, describe. */
    private ObjectNode run(UploadedImage image, DetectRequest request) throws IOException {
        long t0 = System.nanoTime();
        DetectionResult result;
        BufferedImage annotated;
        GroundedSamResult grounded = null;
        ImageInput input = ImageInput.of(image.bytes());
        try (Detector tuned = detector.withThresholds(request.boxThreshold(), request.textThreshold())) {
            if (request.segment()) {
                grounded = GroundedSam.run(tuned, segmenter, input, request.prompt());
                result = grounded.detections();
                annotated = MaskOverlay.draw(image.bytes(), grounded.overlayItems());
            } else {
                result = tuned.detect(input, request.prompt());
                annotated = Annotator.annotate(image.bytes(), result);
            }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("\"{}\" on a {}x{} {}: {} in {} ms", request.prompt(), image.width(), image.height(), image.format(),
                DetectionSummary.of(result), millis);

        ObjectNode node = json.createObjectNode();
        node.put("summary", DetectionSummary.of(result));
        node.put("count", result.size());
        node.put("width", result.width());
        node.put("height", result.height());
        node.put("caption", result.caption());
        node.put("segmented", request.segment());
        node.put("demo", detector.isDemo());
        node.put("millis", millis);
        ArrayNode detections = node.putArray("detections");
        for (int i = 0; i < result.detections().size(); i++) {
            Detection d = result.detections().get(i);
            ObjectNode o = detections.addObject();
            o.put("label", d.label());
            o.put("score", d.score());
            ArrayNode box = o.putArray("box");
            box.add(d.box().x0()).add(d.box().y0()).add(d.box().x1()).add(d.box().y1());
            if (grounded != null) { // the SAM mask of the box, as COCO RLE (pycocotools' compressed counts)
                Mask m = grounded.masks().get(i).mask();
                CocoRle rle = m.toRle();
                ObjectNode mask = o.putObject("mask");
                ArrayNode size = mask.putArray("size");
                size.add(rle.size()[0]).add(rle.size()[1]);
                mask.put("counts", rle.toCompressedString());
                mask.put("area", m.area());
                mask.put("predictedIou", m.predictedIou());
            }
        }
        node.put("image", "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpeg(annotated)));
        return node;
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** What a failed detection tells the page. */
    private static WebProblem translate(Throwable cause) {
        if (cause instanceof ImageException e) {
            return new WebProblem(400, "The uploaded image could not be used: " + e.getMessage());
        }
        if (cause instanceof PromptException || cause instanceof OptionException
                || cause instanceof IllegalArgumentException) {
            return new WebProblem(400, cause.getMessage());
        }
        if (cause instanceof IllegalStateException) {
            return new WebProblem(503, "The model is closed (the server is shutting down); try again later.");
        }
        if (cause instanceof GroundingDinoException e) {
            LOG.error("detection failed", e);
            return new WebProblem(500, "The detection failed: " + e.getMessage());
        }
        LOG.error("detection failed", cause);
        return new WebProblem(500, "Internal error (" + cause.getClass().getSimpleName() + "); the server log has "
                + "the details.");
    }

    // ------------------------------------------------------------------------------------------------ responses

    private void sendJson(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", json.writeValueAsBytes(body));
    }

    private void sendError(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("error", message);
        sendJson(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
                + "base-uri 'none'; frame-ancestors 'none'");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Map<String, byte[]> loadResources() throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        for (String name : STATIC.values()) {
            try (InputStream in = WebDemoServer.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IllegalStateException("the web demo resource " + RESOURCES + name + " is missing from "
                            + "the class path; rebuild the groundingdino-cli module");
                }
                out.put(name, in.readAllBytes());
            }
        }
        return out;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "WebDemoServer[" + uri() + ", " + detector.variant() + (segmenter != null ? " + SAM " + segmenter
                .variant() : "") + "]";
    }
}
