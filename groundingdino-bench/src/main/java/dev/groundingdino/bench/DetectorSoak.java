package dev.groundingdino.bench;

import dev.groundingdino.internal.runtime.ProcessMemory;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Does resident memory stay flat over many detections? Loads a full-size Swin-T OGC checkpoint (random weights,
 * {@link FullSizeCheckpoint}) through the public API and calls {@code Detector.detect(ImageInput, prompt)} in a loop
 * on JPEG-encoded images of three sizes (800x600, 1920x1080, 640x480, in turn: the model's per-size caches keep 2
 * sizes, so they are evicted all the time) with 40 different prompts (more than the 32-entry BERT cache), and
 * exports every result as JSON. Records the process RSS ({@code VmRSS}) and the latency after every detection.
 *
 * <p>Run: {@code java -Xmx1g -cp groundingdino-bench/target/benchmarks.jar dev.groundingdino.bench.DetectorSoak
 * --detections 1000 [--precision FP32|BF16] [--csv soak.csv]}. Prints a line every {@code --report-every}
 * detections and a summary: RSS at a few points, its range after the warm-up, and the slope of a least-squares line
 * through the RSS of the second half (MB per 100 detections).
 */
public final class DetectorSoak {
    private static final int[][] SIZES = {{800, 600}, {1920, 1080}, {640, 480}};
    private static final String[] OBJECTS = {"cat", "dog", "person", "car", "bicycle", "traffic light", "chair",
        "bottle", "cup", "laptop"};

    private DetectorSoak() {}

    public static void main(String[] args) throws IOException {
        int detections = 1000;
        int reportEvery = 50;
        Precision precision = Precision.FP32;
        Path csv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--detections" -> detections = Integer.parseInt(args[++i]);
                case "--report-every" -> reportEvery = Integer.parseInt(args[++i]);
                case "--precision" -> precision = Precision.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--csv" -> csv = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --detections N --report-every N --precision FP32|BF16 --csv FILE");
            }
        }
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            images.add(jpeg(SIZES[i][0], SIZES[i][1], 7 + i));
        }
        List<String> prompts = prompts();
        Path checkpoint = FullSizeCheckpoint.write(GroundingDinoConfig.swinTOgc());
        long[] rss = new long[detections];
        double[] millis = new double[detections];
        try (Detector detector = Detector.builder(checkpoint).precision(precision).build()) {
            Files.deleteIfExists(checkpoint); // the weights are loaded; the file is no longer needed
            System.out.printf(Locale.ROOT, "%s, %s; RSS after loading %d MB%n", detector, precision,
                    (ProcessMemory.rssBytes() >> 20));
            long exported = 0;
            for (int i = 0; i < detections; i++) {
                long start = System.nanoTime();
                DetectionResult result = detector.detect(ImageInput.of(images.get(i % images.size())),
                        prompts.get(i % prompts.size()));
                exported += DetectionExport.toJson("soak-" + i, result).length();
                millis[i] = (System.nanoTime() - start) / 1e6;
                rss[i] = (ProcessMemory.rssBytes() >> 20);
                if ((i + 1) % reportEvery == 0 || i == 0) {
                    Runtime rt = Runtime.getRuntime();
                    System.out.printf(Locale.ROOT, "%5d detections: RSS %5d MB, heap %4d MB, last %6.0f ms%n", i + 1,
                            rss[i], (rt.totalMemory() - rt.freeMemory()) >> 20, millis[i]);
                }
            }
            System.out.printf(Locale.ROOT, "exported %d JSON characters%n", exported);
        } finally {
            Files.deleteIfExists(checkpoint);
        }
        if (csv != null) {
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv))) {
                out.println("detection,millis,rss_mb");
                for (int i = 0; i < detections; i++) {
                    out.printf(Locale.ROOT, "%d,%.1f,%d%n", i + 1, millis[i], rss[i]);
                }
            }
        }
        summarize(rss, millis);
    }

    private static void summarize(long[] rss, double[] millis) {
        int n = rss.length;
        int warm = Math.min(n - 1, Math.max(1, n / 50));
        StringBuilder points = new StringBuilder();
        for (int at : new int[] {1, 10, 100, 250, 500, 750, 1000, n}) {
            if (at <= n && points.indexOf(" " + at + ":") < 0) {
                points.append(' ').append(at).append(": ").append(rss[at - 1]).append(" MB");
            }
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = warm; i < n; i++) {
            min = Math.min(min, rss[i]);
            max = Math.max(max, rss[i]);
        }
        double[] sorted = millis.clone();
        java.util.Arrays.sort(sorted);
        System.out.println("RSS after detection" + points);
        System.out.printf(Locale.ROOT, "RSS range after %d warm-up detections: %d..%d MB%n", warm, min, max);
        System.out.printf(Locale.ROOT, "RSS slope over detections %d..%d: %+.2f MB per 100 detections%n", n / 2 + 1, n,
                slope(rss, n / 2) * 100);
        System.out.printf(Locale.ROOT, "latency median %.0f ms, p90 %.0f ms, max %.0f ms%n", sorted[n / 2],
                sorted[Math.min(n - 1, (int) (n * 0.9))], sorted[n - 1]);
    }

    /** Least-squares slope of {@code rss[from..]} against the detection index. */
    private static double slope(long[] rss, int from) {
        int m = rss.length - from;
        if (m < 2) {
            return 0;
        }
        double mx = 0;
        double my = 0;
        for (int i = from; i < rss.length; i++) {
            mx += i;
            my += rss[i];
        }
        mx /= m;
        my /= m;
        double num = 0;
        double den = 0;
        for (int i = from; i < rss.length; i++) {
            num += (i - mx) * (rss[i] - my);
            den += (i - mx) * (i - mx);
        }
        return num / den;
    }

    /** 40 different prompts of one to three objects. */
    private static List<String> prompts() {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; prompts.size() < 40; i++) {
            String p = OBJECTS[i % OBJECTS.length] + " . " + OBJECTS[(i / OBJECTS.length + i + 1) % OBJECTS.length]
                    + (i % 3 == 0 ? " . " + OBJECTS[(i + 5) % OBJECTS.length] : "") + " .";
            if (!prompts.contains(p)) {
                prompts.add(p);
            }
        }
        return prompts;
    }

    private static byte[] jpeg(int width, int height, long seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom random = new SplittableRandom(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }
}
