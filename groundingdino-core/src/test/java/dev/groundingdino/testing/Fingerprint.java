package dev.groundingdino.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * A golden tensor fingerprint (see the golden README, "Fingerprints"): shape, dtype, finite statistics and 256
 * sampled values at splitmix64 positions. {@link #check} compares a flat row-major array against it.
 */
public record Fingerprint(long[] shape, String dtype, long numel, long numNonfinite, double sum, double absSum,
        double mean, double std, double min, double max, long[] sampleIdx, double[] sampleVal) {

    public static Fingerprint of(JsonNode n) {
        long[] shape = longs(n.get("shape"));
        long[] idx = longs(n.get("sample_idx"));
        double[] vals = new double[idx.length];
        JsonNode sv = n.get("sample_val");
        for (int i = 0; i < vals.length; i++) {
            vals[i] = parse(sv.get(i));
        }
        return new Fingerprint(shape, n.get("dtype").asText(), n.get("numel").asLong(),
                n.path("num_nonfinite").asLong(0), n.path("sum").asDouble(), n.path("abs_sum").asDouble(),
                n.path("mean").asDouble(), n.path("std").asDouble(), n.path("min").asDouble(), n.path("max").asDouble(),
                idx, vals);
    }

    /** The fingerprint's 256 sample positions for a tensor of {@code numel} elements (README algorithm). */
    public static long[] sampleIndices(long numel) {
        if (numel <= 256) {
            long[] idx = new long[(int) numel];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            return idx;
        }
        long[] idx = new long[256];
        long s = 0x5EED5EEDL;
        for (int k = 0; k < 256; k++) {
            s += 0x9E3779B97F4A7C15L;
            long z = s;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            idx[k] = Long.remainderUnsigned(z, numel);
        }
        return idx;
    }

    /**
     * Compares {@code values} (flat, row-major) with this fingerprint: shape, non-finite count, every sample
     * value within {@code atol + rtol*|expected|} (non-finite samples must be identical), and the statistics
     * with a tolerance scaled to the tensor. Returns the maximum absolute error over the samples.
     *
     * @throws AssertionError naming the first difference
     */
    public double check(String name, long[] actualShape, double[] values, double atol, double rtol) {
        if (!Arrays.equals(shape, actualShape)) {
            throw new AssertionError(name + ": shape " + Arrays.toString(actualShape) + " != golden "
                    + Arrays.toString(shape));
        }
        if (values.length != numel) {
            throw new AssertionError(name + ": numel " + values.length + " != golden " + numel);
        }
        long nonfinite = 0;
        double s = 0;
        double abs = 0;
        double mn = Double.POSITIVE_INFINITY;
        double mx = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                nonfinite++;
                continue;
            }
            s += v;
            abs += Math.abs(v);
            mn = Math.min(mn, v);
            mx = Math.max(mx, v);
        }
        if (nonfinite != numNonfinite) {
            throw new AssertionError(name + ": " + nonfinite + " non-finite values, golden has " + numNonfinite);
        }
        double maxErr = 0;
        for (int k = 0; k < sampleIdx.length; k++) {
            double expected = sampleVal[k];
            double actual = values[(int) sampleIdx[k]];
            if (!Double.isFinite(expected) || !Double.isFinite(actual)) {
                if (Double.compare(expected, actual) != 0) {
                    throw new AssertionError(name + ": sample " + sampleIdx[k] + " = " + actual + ", golden " + expected);
                }
                continue;
            }
            double err = Math.abs(actual - expected);
            maxErr = Math.max(maxErr, err);
            if (err > atol + rtol * Math.abs(expected)) {
                throw new AssertionError(name + ": sample at flat index " + sampleIdx[k] + " = " + actual
                        + ", golden " + expected + " (|err| " + err + " > " + (atol + rtol * Math.abs(expected)) + ")");
            }
        }
        long finite = numel - nonfinite;
        if (finite > 0) {
            double statTol = (atol + rtol * (abs / finite)) * 4;
            checkStat(name, "min", mn, min, statTol);
            checkStat(name, "max", mx, max, statTol);
            checkStat(name, "mean", s / finite, mean, statTol);
            checkStat(name, "abs_sum/numel", abs / finite, absSum / finite, statTol);
        }
        return maxErr;
    }

    private static void checkStat(String name, String stat, double actual, double expected, double tol) {
        if (Math.abs(actual - expected) > tol) {
            throw new AssertionError(name + ": " + stat + " = " + actual + ", golden " + expected + " (tol " + tol + ")");
        }
    }

    private static double parse(JsonNode v) {
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "nan" -> Double.NaN;
                default -> throw new IllegalArgumentException("bad sample value " + v);
            };
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? 1 : 0;
        }
        return v.asDouble();
    }

    private static long[] longs(JsonNode arr) {
        long[] out = new long[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asLong();
        }
        return out;
    }
}
