package dev.sluice.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 answer as read off a socket: status, headers (names lower-cased, the last value of a
 * repeated name), and the body with its chunked framing removed. Interim 1xx answers are skipped.
 *
 * @param status   the status code; -1 when not even the head came whole
 * @param headers  lower-cased names
 * @param body     the body, de-chunked; for a partial answer, what came of it
 * @param length   bytes of the connection this answer took, 1xx heads before it included
 * @param complete whether the body came whole (its length, its last chunk, or the close that ends it)
 */
record RawAnswer(int status, Map<String, String> headers, byte[] body, int length, boolean complete) {

    /** How an exchange ended. */
    enum End {
        /** Every answer came whole. */
        COMPLETE,
        /** Nobody listened: the connection was refused, nothing was sent. */
        REFUSED,
        /** Closed or reset before a byte of an answer. */
        NO_ANSWER,
        /** An answer started and the connection ended before it was whole. */
        CUT,
        /** The clock ran out, with no answer or a partial one. */
        TIMEOUT
    }

    String header(String name) {
        return headers.get(name);
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Whether the server said it closes the connection after this answer. */
    boolean closes() {
        return "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
    }

    /**
     * The answer starting at {@code offset}, or null while it is not whole yet. {@code head}: the request
     * was a HEAD (no body follows). {@code atEnd}: the connection has ended, which ends a body that has
     * neither a length nor chunks.
     */
    static RawAnswer parse(byte[] bytes, int offset, boolean head, boolean atEnd) {
        int start = offset;
        while (true) {
            int headEnd = indexOf(bytes, start, "\r\n\r\n");
            if (headEnd < 0) {
                return null;
            }
            String headText = new String(bytes, start, headEnd - start, StandardCharsets.ISO_8859_1);
            int status = statusOf(headText);
            Map<String, String> headers = headersOf(headText);
            int bodyStart = headEnd + 4;
            if (status >= 100 && status < 200) {
                start = bodyStart; // 100 Continue and friends: the real answer follows
                continue;
            }
            if (head || status == 204 || status == 304) {
                return new RawAnswer(status, headers, new byte[0], bodyStart - offset, true);
            }
            if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                int end = dechunk(bytes, bodyStart, body);
                return end < 0 ? null : new RawAnswer(status, headers, body.toByteArray(), end - offset, true);
            }
            String length = headers.get("content-length");
            if (length != null) {
                long declared = parseLength(length);
                if (declared < 0 || bytes.length - bodyStart < declared) {
                    return null;
                }
                byte[] body = java.util.Arrays.copyOfRange(bytes, bodyStart, bodyStart + (int) declared);
                return new RawAnswer(status, headers, body, bodyStart + (int) declared - offset, true);
            }
            if (!atEnd) {
                return null;
            }
            byte[] body = java.util.Arrays.copyOfRange(bytes, bodyStart, bytes.length);
            return new RawAnswer(status, headers, body, bytes.length - offset, true);
        }
    }

    /** What came of an answer that never became whole: its head if that came, and the body bytes after it. */
    static RawAnswer partial(byte[] bytes, int offset) {
        int headEnd = indexOf(bytes, offset, "\r\n\r\n");
        if (headEnd < 0) {
            return new RawAnswer(-1, Map.of(), java.util.Arrays.copyOfRange(bytes, offset, bytes.length),
                    bytes.length - offset, false);
        }
        String headText = new String(bytes, offset, headEnd - offset, StandardCharsets.ISO_8859_1);
        Map<String, String> headers = headersOf(headText);
        byte[] rest = java.util.Arrays.copyOfRange(bytes, headEnd + 4, bytes.length);
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            dechunk(rest, 0, body);
            rest = body.toByteArray();
        }
        return new RawAnswer(statusOf(headText), headers, rest, bytes.length - offset, false);
    }

    /** Appends the chunks' data to {@code body}; returns the index after the last chunk, or -1 if it has not come. */
    private static int dechunk(byte[] bytes, int from, ByteArrayOutputStream body) {
        int at = from;
        while (true) {
            int lineEnd = indexOf(bytes, at, "\r\n");
            if (lineEnd < 0) {
                return -1;
            }
            String sizeText = new String(bytes, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int semicolon = sizeText.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                return -1;
            }
            int dataStart = lineEnd + 2;
            if (size == 0) {
                int trailerEnd = indexOf(bytes, lineEnd, "\r\n\r\n"); // trailers, usually none
                return trailerEnd < 0 ? -1 : trailerEnd + 4;
            }
            if (bytes.length < dataStart + size + 2) {
                body.write(bytes, dataStart, (int) Math.max(0, Math.min(size, bytes.length - dataStart)));
                return -1;
            }
            body.write(bytes, dataStart, (int) size);
            at = dataStart + (int) size + 2;
        }
    }

    private static int statusOf(String headText) {
        String[] parts = headText.split(" ", 3);
        try {
            return parts.length >= 2 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1].trim()) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Map<String, String> headersOf(String headText) {
        Map<String, String> headers = new LinkedHashMap<>();
        String[] lines = headText.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static long parseLength(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int indexOf(byte[] bytes, int from, String pattern) {
        byte[] target = pattern.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = Math.max(0, from); i <= bytes.length - target.length; i++) {
            for (int j = 0; j < target.length; j++) {
                if (bytes[i + j] != target[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
