package dev.groundingdino.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the resident-memory curve of a {@link DetectorSoak} run as an SVG line chart (RSS in MB against the
 * detection number, plus the latency of each detection in a lighter line on a second axis that ends at 1.5x the
 * 99th percentile), for the performance page.
 *
 * <p>Run: {@code java -cp groundingdino-bench/target/benchmarks.jar dev.groundingdino.bench.SoakChart soak.csv
 * soak.svg}.
 */
public final class SoakChart {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 300;
    private static final int LEFT = 60;
    private static final int RIGHT = 60;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private SoakChart() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SoakChart SOAK.csv OUT.svg");
        }
        List<double[]> rows = new ArrayList<>(); // detection, millis, rss
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank() || line.startsWith("detection")) {
                continue;
            }
            String[] f = line.split(",");
            rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])});
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(args[0] + " holds no rows");
        }
        Files.writeString(Path.of(args[1]), svg(rows));
    }

    static String svg(List<double[]> rows) {
        double n = rows.get(rows.size() - 1)[0];
        double rssMax = Math.ceil(rows.stream().mapToDouble(r -> r[2]).max().orElse(1) / 500) * 500;
        // the latency axis ends at 1.5x the 99th percentile: a few detections slowed down by other processes on the
        // machine must not flatten the rest (they are drawn at the top edge)
        double[] ms = rows.stream().mapToDouble(r -> r[1]).sorted().toArray();
        double msMax = Math.ceil(ms[Math.min(ms.length - 1, (int) (ms.length * 0.99))] * 1.5 / 1000) * 1000;
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        for (int i = 0; i <= 5; i++) { // horizontal grid with both axes' labels
            double y = TOP + plotH - plotH * i / 5;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, WIDTH - RIGHT, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f5fbf\">%.0f"
                    + "</text>%n", LEFT - 6, y + 4, rssMax * i / 5));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#999\">%.1f</text>%n",
                    WIDTH - RIGHT + 6, y + 4, msMax * i / 5 / 1000));
        }
        for (int i = 0; i <= 5; i++) {
            double x = LEFT + plotW * i / 5;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x,
                    HEIGHT - BOTTOM + 16, n * i / 5));
        }
        s.append(polyline(rows, 1, msMax, n, plotW, plotH, "#bbb", 1));
        s.append(polyline(rows, 2, rssMax, n, plotW, plotH, "#1f5fbf", 2));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#1f5fbf\">resident memory (MB)</text>%n",
                LEFT, TOP - 10));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#999\">latency (s)"
                + "</text>%n", WIDTH - 8, TOP - 10));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">detection</text>%n",
                LEFT + plotW / 2, HEIGHT - 6));
        return s.append("</svg>\n").toString();
    }

    private static String polyline(List<double[]> rows, int column, double max, double n, double plotW, double plotH,
            String colour, int width) {
        StringBuilder points = new StringBuilder();
        for (double[] r : rows) {
            double x = LEFT + plotW * r[0] / n;
            double y = TOP + plotH - plotH * Math.min(r[column], max) / max;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%d\" points=\"%s\"/>%n",
                colour, width, points.toString().trim());
    }
}
