package dev.groundingdino.cli.web;

import dev.groundingdino.Detector;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one detection, from the query string of {@code POST /api/detect}
 * ({@code ?prompt=cat%20.%20dog&box=0.35&text=0.25&sam=false}) and, for a {@code multipart/form-data} upload, its
 * text fields of the same names. {@code box} and {@code text} default to the thresholds {@code /api/info} publishes
 * (0.35 and 0.25), {@code sam} to false.
 *
 * @param prompt the objects to detect, phrases separated by {@code " . "}
 * @param boxThreshold keep boxes scoring above this
 * @param textThreshold label tokens scoring above this
 * @param segment whether to segment the boxes with SAM
 */
record DetectRequest(String prompt, double boxThreshold, double textThreshold, boolean segment) {
    /** The slider range of both thresholds on the page, also enforced here. */
    static final double MIN_THRESHOLD = 0.1;
    static final double MAX_THRESHOLD = 0.9;

    /**
     * Parses and checks a query string.
     *
     * @throws WebProblem 400 naming the parameter that is missing or wrong
     */
    static DetectRequest parse(String rawQuery, int maxPromptChars) {
        return parse(rawQuery, Map.of(), maxPromptChars);
    }

    /** As {@link #parse(String, int)}, with form fields that override the query's parameters. */
    static DetectRequest parse(String rawQuery, Map<String, String> formFields, int maxPromptChars) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                params.put(key, value);
            }
        }
        params.putAll(formFields);
        String prompt = params.getOrDefault("prompt", "").strip();
        if (prompt.isEmpty()) {
            throw new WebProblem(400, "The prompt is empty: type the objects to detect, separated by \" . \", e.g. "
                    + "\"person . car . dog\".");
        }
        if (prompt.length() > maxPromptChars) {
            throw new WebProblem(400, "The prompt has " + prompt.length() + " characters; this server accepts at "
                    + "most " + maxPromptChars + ". Name fewer or shorter objects.");
        }
        double box = threshold(params, "box", "box threshold", Detector.DEFAULT_BOX_THRESHOLD);
        double text = threshold(params, "text", "text threshold", Detector.DEFAULT_TEXT_THRESHOLD);
        String sam = params.getOrDefault("sam", "false").toLowerCase(Locale.ROOT);
        if (!sam.equals("true") && !sam.equals("false")) {
            throw new WebProblem(400, "sam must be true or false, got \"" + sam + "\"");
        }
        return new DetectRequest(prompt, box, text, sam.equals("true"));
    }

    private static double threshold(Map<String, String> params, String key, String what, double fallback) {
        String raw = params.get(key);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        double value;
        try {
            value = Double.parseDouble(raw.strip());
        } catch (NumberFormatException e) {
            throw new WebProblem(400, "The " + what + " must be a number, got \"" + raw + "\".");
        }
        if (!(value >= MIN_THRESHOLD && value <= MAX_THRESHOLD)) {
            throw new WebProblem(400, String.format(Locale.ROOT, "The %s must be between %.1f and %.1f, got %s.",
                    what, MIN_THRESHOLD, MAX_THRESHOLD, raw));
        }
        return value;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new WebProblem(400, "The query string is not valid URL encoding: " + e.getMessage());
        }
    }
}
