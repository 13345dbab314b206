package dev.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One hostile request: the exact bytes written to the socket, and how many answers to wait for (more
 * than one when the bytes hold, or may be read as, several pipelined requests).
 *
 * @param index    its position in the generated list: {@code --only=index} replays it
 * @param category body, headers, paths, methods, sizes or framing
 * @param name     what it tries, in a few words
 * @param bytes    the request as sent
 * @param answers  answers to read before the exchange is over
 */
record HostileCase(int index, String category, String name, byte[] bytes, int answers) {

    /** A valid chat body: the template most cases break one part of. */
    static final String CHAT = "{\"model\":\"gpt-sim\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /**
     * The first {@code limit} bytes, printable: CR and LF as \r \n, other control and non-ASCII bytes as
     * \xNN (the form printf '%b' reads), then how many more there were.
     */
    String preview(int limit) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(limit, bytes.length); i++) {
            int b = bytes[i] & 0xff;
            if (b == '\r') {
                text.append("\\r");
            } else if (b == '\n') {
                text.append("\\n");
            } else if (b == '\\') {
                text.append("\\\\");
            } else if (b == '\'') {
                text.append("\\x27");
            } else if (b < 0x20 || b >= 0x7f) {
                text.append(String.format("\\x%02x", b));
            } else {
                text.append((char) b);
            }
        }
        return bytes.length > limit ? text + "... (" + (bytes.length - limit) + " more bytes)" : text.toString();
    }

    /**
     * A request with the usual headers (Host, a bearer token, JSON type, the body's length, Connection:
     * close) unless {@code headers} names them: a null value leaves that header out.
     */
    static byte[] request(String method, String path, Map<String, String> headers, byte[] body) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Host", "127.0.0.1");
        all.put("Authorization", "Bearer hostile-caller");
        all.put("Content-Type", "application/json");
        all.put("Content-Length", Integer.toString(body.length));
        all.put("Connection", "close");
        all.putAll(headers);
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        all.forEach((name, value) -> {
            if (value != null) {
                head.append(name).append(": ").append(value).append("\r\n");
            }
        });
        return concat(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1), body);
    }

    static byte[] post(String path, String body) {
        return request("POST", path, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** Collects cases of one category, numbering them as they come. */
    static final class Builder {
        private final List<HostileCase> cases = new ArrayList<>();
        private String category = "";

        Builder category(String name) {
            category = name;
            return this;
        }

        void add(String name, byte[] bytes) {
            add(name, bytes, 1);
        }

        void add(String name, byte[] bytes, int answers) {
            cases.add(new HostileCase(cases.size(), category, name, bytes, answers));
        }

        List<HostileCase> build() {
            return List.copyOf(cases);
        }
    }
}
