package dev.groundingdino.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH JSON result file ({@code -rf json}) and the {@link ForwardProfile} outputs into the Markdown report
 * that {@code run-benchmarks.sh} writes: the machine, one table row per benchmark and parameter set (median of the
 * measured iterations, mean with JMH's 99.9% error, unit), then the profiles verbatim.
 *
 * <p>Run: {@code java -cp benchmarks.jar dev.groundingdino.bench.ResultsTable jmh.json [profile.txt ...]}.
 */
public final class ResultsTable {
    private ResultsTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: ResultsTable jmh.json [profile.txt ...]");
        }
        StringBuilder md = new StringBuilder();
        md.append("# GroundingDINO for Java: benchmark results\n\n");
        md.append(machine()).append('\n');
        md.append("| Benchmark | Parameters | Median | Mean ± 99.9% error | Unit | Iterations |\n");
        md.append("|---|---|---:|---:|---|---:|\n");
        JsonNode results = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        for (JsonNode r : results) {
            String name = r.get("benchmark").asText().replace("dev.groundingdino.bench.", "");
            StringBuilder params = new StringBuilder();
            JsonNode p = r.get("params");
            if (p != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    params.append(params.length() == 0 ? "" : ", ").append(e.getKey()).append('=')
                            .append(e.getValue().asText());
                }
            }
            JsonNode metric = r.get("primaryMetric");
            List<Double> raw = new ArrayList<>();
            for (JsonNode fork : metric.get("rawData")) {
                for (JsonNode v : fork) {
                    raw.add(v.asDouble());
                }
            }
            double error = metric.get("scoreError").asDouble();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s ± %s | %s | %d |%n", name,
                    params.length() == 0 ? "-" : params, format(ForwardProfile.median(raw)),
                    format(metric.get("score").asDouble()), Double.isNaN(error) ? "n/a" : format(error),
                    metric.get("scoreUnit").asText(), raw.size()));
        }
        for (int i = 1; i < args.length; i++) {
            Path profile = Path.of(args[i]);
            md.append("\n## ").append(profile.getFileName()).append("\n\n```\n");
            for (String line : Files.readAllLines(profile)) {
                if (!line.contains(" DEBUG ") && !line.startsWith("[main] ")) {
                    md.append(line).append('\n');
                }
            }
            md.append("```\n");
        }
        System.out.print(md);
    }

    private static String format(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** nproc, CPU model and flags that matter, memory, JVM, thread settings, date. */
    static String machine() {
        StringBuilder sb = new StringBuilder();
        String model = "unknown";
        String flags = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("unknown")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("flags") && flags.isEmpty()) {
                    flags = String.join(" ", Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split(" "))
                            .filter(f -> f.equals("avx2") || f.equals("avx512f") || f.equals("avx512_bf16")
                                    || f.startsWith("amx"))
                            .toList());
                }
            }
        } catch (IOException e) {
            // not Linux: leave unknown
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        sb.append("- Date: ").append(LocalDate.now()).append('\n');
        sb.append("- CPU: ").append(model).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" logical cores (nproc), flags: ").append(flags.isEmpty() ? "n/a" : flags).append('\n');
        sb.append("- Memory: ").append(memory >> 20).append(" MB\n");
        sb.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append('\n');
        sb.append("- Environment: OPENBLAS_NUM_THREADS=").append(env("OPENBLAS_NUM_THREADS"))
                .append(", OMP_NUM_THREADS=").append(env("OMP_NUM_THREADS")).append(", OMP_WAIT_POLICY=")
                .append(env("OMP_WAIT_POLICY")).append('\n');
        return sb.toString();
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : v;
    }
}
