package dev.groundingdino.bench;

import dev.groundingdino.Box;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.Device;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Precision;
import dev.groundingdino.Prompt;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.sam.ImageEmbedding;
import dev.groundingdino.sam.MaskPrompt;
import dev.groundingdino.sam.Segmenter;
import dev.groundingdino.sam.internal.Sam;
import dev.groundingdino.sam.internal.config.SamConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * End-to-end latency and throughput through the public API on one device (CPU or CUDA), the numbers a user sees:
 * full-size GroundingDINO Swin-T OGC and SAM ViT-B on seeded random weights written as checkpoint files and loaded
 * by {@code Detector} / {@code Segmenter}; the image is the encoded JPEG, so decoding, resizing, tokenization,
 * uploads and post-processing are all included.
 *
 * <ul>
 *   <li>detect, batch 1: one {@code detect(image, prompt)} after another (per-image latency);
 *   <li>detect, batch N: {@code detect(List of N images, prompt)} with {@code batchSize(N)} (per-image cost of a
 *       batch; decoding overlaps the GPU);
 *   <li>SAM embed: {@code Segmenter.embed(image)} (the ViT-B image encoder, preprocessing included); SAM segment:
 *       one box on that embedding.
 * </ul>
 *
 * <p>Run: {@code java -cp groundingdino-bench/target/benchmarks.jar dev.groundingdino.bench.DeviceProfile --device
 * CUDA --precision FP32,FP16 --image cat_dog.jpeg --runs 20 --batch 10 --out results.tsv}. Prints a table (median
 * and 90th percentile, milliseconds) and writes it as TSV. Compare with the Python stack on the same machine
 * ({@code tools/gpu/python_baseline.py}) in the same session.
 */
public final class DeviceProfile {
    private DeviceProfile() {}

    public static void main(String[] args) throws IOException {
        Device device = Device.CPU;
        List<Precision> precisions = List.of(Precision.FP32);
        Path image = null;
        int runs = 20;
        int batch = 10;
        boolean sam = true;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = Device.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--precision" -> precisions = Arrays.stream(args[++i].split(","))
                        .map(p -> Precision.valueOf(p.strip().toUpperCase(Locale.ROOT))).toList();
                case "--image" -> image = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--no-sam" -> sam = false;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --device CPU|CUDA "
                        + "--precision FP32[,FP16,BF16] --image FILE --runs N --batch N --no-sam --out FILE.tsv");
            }
        }
        if (image == null) {
            throw new IllegalArgumentException("--image FILE is required (e.g. the golden cat_dog.jpeg)");
        }
        byte[] jpeg = Files.readAllBytes(image);
        List<String> rows = new ArrayList<>();
        rows.add("model\tdevice\tprecision\tmeasure\tmedian_ms\tp90_ms\truns");
        Path gdino = FullSizeCheckpoint.write(GroundingDinoConfig.swinTOgc());
        Path samFile = sam ? samVitB() : null;
        try {
            for (Precision precision : precisions) {
                detector(gdino, device, precision, jpeg, runs, batch, rows);
                if (samFile != null) {
                    segmenter(samFile, device, precision, jpeg, runs, rows);
                }
            }
        } finally {
            Files.deleteIfExists(gdino);
            if (samFile != null) {
                Files.deleteIfExists(samFile);
            }
        }
        print(System.out, rows);
        if (out != null) {
            Files.write(out, rows);
        }
    }

    private static void detector(Path checkpoint, Device device, Precision precision, byte[] jpeg, int runs,
            int batch, List<String> rows) {
        long t0 = System.nanoTime();
        try (Detector detector = Detector.builder(checkpoint).device(device).precision(precision).build();
                Detector batched = detector.withBatchSize(batch)) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            rows.add(row("GroundingDINO Swin-T", device, precision, "load", new double[] {loadMs}));
            Prompt prompt = Prompt.text("cat . dog");
            ImageInput input = ImageInput.of(jpeg);
            for (int i = 0; i < 3; i++) {
                detector.detect(input, prompt);
            }
            double[] single = new double[runs];
            int found = 0;
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                DetectionResult r = detector.detect(input, prompt);
                single[i] = (System.nanoTime() - s) / 1e6;
                found += r.size();
            }
            rows.add(row("GroundingDINO Swin-T", device, precision, "detect, batch 1 (per image)", single));
            List<ImageInput> images = Collections.nCopies(batch, input);
            batched.detect(images, prompt);
            int batchRuns = Math.max(3, runs / 4);
            double[] perImage = new double[batchRuns];
            for (int i = 0; i < batchRuns; i++) {
                long s = System.nanoTime();
                List<DetectionResult> results = batched.detect(images, prompt);
                perImage[i] = (System.nanoTime() - s) / 1e6 / batch;
                found += results.get(0).size();
            }
            rows.add(row("GroundingDINO Swin-T", device, precision, "detect, batch " + batch + " (per image)",
                    perImage));
            System.err.printf("%s %s: %d detections in all (random weights)%n", device, precision, found);
        }
    }

    private static void segmenter(Path checkpoint, Device device, Precision precision, byte[] jpeg, int runs,
            List<String> rows) {
        long t0 = System.nanoTime();
        try (Segmenter segmenter = Segmenter.builder(checkpoint).device(device).precision(precision).build()) {
            rows.add(row("SAM ViT-B", device, precision, "load", new double[] {(System.nanoTime() - t0) / 1e6}));
            ImageInput input = ImageInput.of(jpeg);
            for (int i = 0; i < 2; i++) {
                segmenter.embed(input).close();
            }
            double[] embed = new double[runs];
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                segmenter.embed(input).close();
                embed[i] = (System.nanoTime() - s) / 1e6;
            }
            rows.add(row("SAM ViT-B", device, precision, "embed (image encoder, per image)", embed));
            try (ImageEmbedding e = segmenter.embed(input)) {
                MaskPrompt box = MaskPrompt.of(new Box(e.width() * 0.2, e.height() * 0.2, e.width() * 0.7,
                        e.height() * 0.8));
                segmenter.segment(e, box, true);
                double[] seg = new double[runs];
                for (int i = 0; i < runs; i++) {
                    long s = System.nanoTime();
                    segmenter.segment(e, box, true);
                    seg[i] = (System.nanoTime() - s) / 1e6;
                }
                rows.add(row("SAM ViT-B", device, precision, "segment (one box, 3 masks)", seg));
            }
        }
    }

    /** SAM ViT-B on seeded random weights as a {@code .safetensors} file (~360 MB); the caller deletes it. */
    private static Path samVitB() throws IOException {
        Path file = Files.createTempFile("sam-vit-b-bench", ".safetensors");
        Map<String, long[]> shapes = Sam.expectedTensors(SamConfig.vitB());
        try (StateDict weights = RandomWeights.stateDict(shapes, 7, ScalarType.Float)) {
            SafetensorsWriter.write(file, weights, Map.of("format", "pt"));
        }
        return file;
    }

    private static String row(String model, Device device, Precision precision, String measure, double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        double p90 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.9) - 1)];
        return String.format(Locale.ROOT, "%s\t%s\t%s\t%s\t%.1f\t%.1f\t%d", model, device, precision, measure, median,
                p90, ms.length);
    }

    private static void print(PrintStream out, List<String> rows) {
        for (String r : rows) {
            String[] c = r.split("\t");
            out.printf("%-22s %-5s %-5s %-36s %10s %10s %5s%n", (Object[]) c);
        }
    }
}
