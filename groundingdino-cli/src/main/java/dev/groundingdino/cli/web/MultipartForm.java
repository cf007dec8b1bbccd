package dev.groundingdino.cli.web;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/form-data} request body (RFC 7578), as browsers and {@code curl -F} send a form with a file: its
 * text fields and the first file part. Only what the demo needs: no nested multiparts, no transfer encodings.
 *
 * @param fields the text fields by name (the last value of a repeated name)
 * @param file the content of the first part with a {@code filename}, or of a part named {@code image} or
 *     {@code file}; null when there is none
 */
record MultipartForm(Map<String, String> fields, byte[] file) {

    /** The boundary of a {@code multipart/form-data} content type, or null for another content type. */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length()).strip();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                return b.isEmpty() ? null : b;
            }
        }
        throw new WebProblem(400, "The multipart/form-data request has no boundary parameter.");
    }

    /**
     * Parses {@code body}.
     *
     * @throws WebProblem 400 if the body is not a well-formed multipart body with that boundary
     */
    static MultipartForm parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw new WebProblem(400, "The multipart/form-data body does not contain its boundary.");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        byte[] file = null;
        byte[] named = null;
        pos += delimiter.length;
        while (true) {
            if (pos + 2 <= body.length && body[pos] == '-' && body[pos + 1] == '-') {
                break; // the closing delimiter
            }
            pos = skipLineBreak(body, pos);
            int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
            if (headerEnd < 0) {
                throw new WebProblem(400, "A part of the multipart/form-data body has no end of headers.");
            }
            String headers = new String(body, pos, headerEnd - pos, StandardCharsets.UTF_8);
            int contentStart = headerEnd + 4;
            int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), contentStart);
            if (next < 0) {
                throw new WebProblem(400, "The multipart/form-data body ends inside a part (no closing boundary).");
            }
            byte[] content = java.util.Arrays.copyOfRange(body, contentStart, next);
            String disposition = header(headers, "content-disposition");
            String name = parameter(disposition, "name");
            String filename = parameter(disposition, "filename");
            if (filename != null) {
                if (file == null) {
                    file = content;
                }
            } else if (name != null && (name.equals("image") || name.equals("file"))) {
                named = content;
            } else if (name != null) {
                fields.put(name, new String(content, StandardCharsets.UTF_8));
            }
            pos = next + 2 + delimiter.length;
        }
        return new MultipartForm(fields, file != null ? file : named);
    }

    private static int skipLineBreak(byte[] b, int pos) {
        if (pos + 1 < b.length && b[pos] == '\r' && b[pos + 1] == '\n') {
            return pos + 2;
        }
        return pos;
    }

    private static String header(String headers, String name) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    /** A parameter of a header value ({@code form-data; name="prompt"; filename="a.jpg"}), unquoted. */
    private static String parameter(String value, String name) {
        if (value == null) {
            return null;
        }
        for (String p : value.split(";")) {
            String s = p.strip();
            int eq = s.indexOf('=');
            if (eq > 0 && s.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = s.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v;
            }
        }
        return null;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
