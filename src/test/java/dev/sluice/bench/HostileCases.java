package dev.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sluice.bench.HostileCase.CHAT;
import static dev.sluice.bench.HostileCase.concat;
import static dev.sluice.bench.HostileCase.latin1;
import static dev.sluice.bench.HostileCase.post;
import static dev.sluice.bench.HostileCase.request;

/**
 * The hostile requests of {@link HostileInput}, generated from a seed so that a run can be repeated case
 * for case: broken bodies, headers, paths and methods here, sizes and raw framing in {@link FramingCases}.
 */
final class HostileCases {

    static final String CHAT_PATH = "/v1/chat/completions";
    private static final String[] ENDPOINTS = {CHAT_PATH, CHAT_PATH, CHAT_PATH, "/v1/embeddings", "/v1/completions"};
    private static final String[] FIELDS = {"model", "max_tokens", "messages", "stream", "n", "temperature",
            "stream_options", "tools", "input", "prompt", "max_completion_tokens", "logit_bias", "user", "response_format"};
    private static final String[] VALUES = {"null", "true", "-1", "0", "1e309", "-1e309", "99999999999999999999999999",
            "2147483648", "9223372036854775808", "1.5", "\"x\"", "\"\"", "[]", "{}", "[[[]]]", "\"\\u0000\"", "\"\\ud800\"",
            "[{\"role\":\"user\"}]", "[{\"role\":7,\"content\":[]}]", "[{\"content\":{\"a\":1}}]", "{\"include_usage\":\"x\"}",
            "\"" + "a".repeat(100_000) + "\"", "[" + "1,".repeat(50_000) + "1]"};

    private HostileCases() {
    }

    /** Every case, in a fixed order for a given seed; {@code maxBodyBytes} is Sluice's SLUICE_MAX_BODY. */
    static List<HostileCase> all(long seed, long maxBodyBytes) {
        Random random = new Random(seed);
        HostileCase.Builder cases = new HostileCase.Builder();
        bodies(cases.category("body"), random);
        headers(cases.category("headers"), random);
        paths(cases.category("paths"), random);
        methods(cases.category("methods"), random);
        FramingCases.sizes(cases.category("sizes"), random, maxBodyBytes);
        FramingCases.framing(cases.category("framing"), random);
        return cases.build();
    }

    private static void bodies(HostileCase.Builder cases, Random random) {
        cases.add("valid chat body (control)", post(CHAT_PATH, CHAT));
        for (int i = 0; i < 220; i++) {
            String path = ENDPOINTS[random.nextInt(ENDPOINTS.length)];
            String field = FIELDS[random.nextInt(FIELDS.length)];
            String value = VALUES[random.nextInt(VALUES.length)];
            String body = "{\"model\":\"gpt-sim\",\"max_tokens\":4,\"input\":\"hi\",\"prompt\":\"hi\","
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"" + field + "\":" + value + "}";
            cases.add(path + " " + field + "=" + (value.length() > 30 ? value.substring(0, 30) + "..." : value), post(path, body));
        }
        byte[] chat = CHAT.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 60; i++) { // one byte of a valid body cut, replaced or added
            int at = random.nextInt(chat.length);
            byte[] mutated = switch (i % 3) {
                case 0 -> java.util.Arrays.copyOf(chat, at);
                case 1 -> replaced(chat, at, (byte) random.nextInt(256));
                default -> concat(java.util.Arrays.copyOf(chat, at), new byte[] {(byte) random.nextInt(256)},
                        java.util.Arrays.copyOfRange(chat, at, chat.length));
            };
            cases.add("chat body mutated at byte " + at, request("POST", CHAT_PATH, Map.of(), mutated));
        }
        String[] specials = {"", "null", "[]", "\"\"", "0", "{}", "{\"model\":null}", "{\"messages\":[]}",
                "[".repeat(100_000), "{\"a\":".repeat(20_000), CHAT + CHAT, CHAT + "garbage", "\uFEFF" + CHAT,
                "{\"model\":\"gpt-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":NaN}",
                "{\"model\":\"gpt-sim\",/*c*/\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"model\":\"gpt-sim\",\"model\":\"other\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],}",
                "{\"model\":\"" + "m".repeat(1_000_000) + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"model\":\"gpt-sim\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + "word ".repeat(600_000) + "\"}]}",
                "{\"model\":\"gpt-sim\",\"n\":100000,\"max_tokens\":100000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"model\":\"gpt-sim\",\"stream\":true,\"stream_options\":null,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"};
        for (String special : specials) {
            String name = special.length() > 40 ? special.substring(0, 40) + "... (" + special.length() + " chars)" : special;
            cases.add("body " + name, post(CHAT_PATH, special));
        }
        cases.add("body invalid UTF-8", request("POST", CHAT_PATH, Map.of(),
                concat(latin1("{\"model\":\"gpt-sim\",\"messages\":[{\"role\":\"user\",\"content\":\""),
                        new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff, (byte) 0xfe}, latin1("\"}]}"))));
        cases.add("body UTF-16", request("POST", CHAT_PATH, Map.of("Content-Type", "application/json; charset=utf-16"),
                CHAT.getBytes(StandardCharsets.UTF_16)));
    }

    private static void headers(HostileCase.Builder cases, Random random) {
        cases.add("no Content-Type", request("POST", CHAT_PATH, mapOf("Content-Type", null), latin1(CHAT)));
        cases.add("no Authorization", request("POST", CHAT_PATH, mapOf("Authorization", null), latin1(CHAT)));
        cases.add("no Host", request("POST", CHAT_PATH, mapOf("Host", null), latin1(CHAT)));
        String[] types = {"text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
                "application/json; charset=latin1", "application/json;;;", "*/*", "", "application/jsonx", "\u00ff/\u00fe"};
        for (String type : types) {
            cases.add("Content-Type " + type, request("POST", CHAT_PATH, Map.of("Content-Type", type), latin1(CHAT)));
        }
        String[] auths = {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer x", "Bearer " + "k".repeat(10_000),
                "Bearer \u00e9\u00ff", "Bearer a b c", "Token x", "Bearer sk-sim-1"};
        for (String auth : auths) {
            cases.add("Authorization " + (auth.length() > 30 ? auth.substring(0, 30) + "..." : auth),
                    request("POST", CHAT_PATH, Map.of("Authorization", auth), latin1(CHAT)));
        }
        String[][] named = {{"Expect", "100-continue"}, {"Expect", "garbage"}, {"Accept", "text/html"},
                {"Accept", "\u0001\u0002"}, {"Content-Encoding", "gzip"}, {"Accept-Encoding", "gzip;q=abc"},
                {"X-Forwarded-For", "not-an-ip, 999.999.1.1, ::::"}, {"X-Forwarded-For", "1.2.3.4, ".repeat(2_000)},
                {"Forwarded", "for=\"[::1\";proto=x"}, {"Upgrade", "h2c"}, {"Upgrade", "websocket"},
                {"Range", "bytes=0-1"}, {"If-None-Match", "*"}, {"Cookie", "a=" + "b".repeat(5_000)},
                {"OpenAI-Organization", "\u00ff"}, {"X-Stainless-Retry-Count", "-1"}, {"Idempotency-Key", "x".repeat(3_000)},
                {"Big", "v".repeat(19_000)}, {"Huge", "v".repeat(30_000)}, {"Host", "evil.example:99999"}};
        for (String[] header : named) {
            cases.add(header[0] + ": " + (header[1].length() > 30 ? header[1].substring(0, 30) + "..." : header[1]),
                    request("POST", CHAT_PATH, Map.of(header[0], header[1]), latin1(CHAT)));
        }
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 1_000; i++) {
            many.put("X-Many-" + i, "v");
        }
        cases.add("1,000 headers", request("POST", CHAT_PATH, many, latin1(CHAT)));
        for (int i = 0; i < 150; i++) { // random names and values, control and non-ASCII bytes among them
            String name = randomText(random, 1 + random.nextInt(20), i % 3 == 0);
            String value = randomText(random, random.nextInt(i % 10 == 0 ? 9_000 : 60), i % 2 == 0);
            cases.add("random header #" + i, request("POST", CHAT_PATH, Map.of(name.isEmpty() ? "X" : name, value),
                    latin1(CHAT)));
        }
    }

    private static void paths(HostileCase.Builder cases, Random random) {
        String[] specials = {"/v1/chat/completions/", "//v1/chat/completions", "/v1//chat/completions",
                "/v1/../v1/chat/completions", "/v1/%2e%2e/v1/chat/completions", "/v1/chat%2Fcompletions",
                "/v1/chat/completions%00", "/v1/chat/completions;x=1", "/v1/chat/completions?x=" + "y".repeat(3_000),
                "/v1/chat/completions#frag", "/V1/CHAT/COMPLETIONS", "/v1/chat/completions/../../admin/v1/keys",
                "/admin/v1/keys", "/admin/v1/openapi", "/q/metrics", "/q/health", "/q/dev", "/q/swagger-ui", "*", "",
                "http://evil.example/v1/chat/completions", "/v1/chat/completions?%zz", "/%", "/%ff%fe",
                "/v1/\u00e9", "/v1\\chat\\completions", "/.env", "/../../etc/passwd", "/v1/models/../../q/metrics",
                "/" + "a".repeat(4_090), "/" + "a".repeat(5_000), "/" + "a/".repeat(20_000), "/v1/chat/completions?"
                + "a=1&".repeat(2_000)};
        for (String path : specials) {
            String name = path.length() > 50 ? path.substring(0, 50) + "... (" + path.length() + " chars)" : path;
            cases.add("path " + name, post(path, CHAT));
        }
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-._~%/?#[]@!$&'()*+,;=:";
        for (int i = 0; i < 170; i++) {
            StringBuilder path = new StringBuilder(i % 2 == 0 ? "/v1/" : "/");
            int length = random.nextInt(i % 17 == 0 ? 6_000 : 40);
            for (int c = 0; c < length; c++) {
                path.append(random.nextInt(10) == 0 ? "%" + Integer.toHexString(random.nextInt(256))
                        : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
            }
            String method = random.nextBoolean() ? "POST" : "GET";
            cases.add("random path #" + i + " " + method, request(method, path.toString(), Map.of(), latin1(CHAT)));
        }
    }

    private static void methods(HostileCase.Builder cases, Random random) {
        String[] methods = {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "post", "Post",
                "POST ", "PRI", "M-SEARCH", "X".repeat(5_000)};
        String[] paths = {CHAT_PATH, "/v1/models", "/v1/embeddings", "/admin/v1/keys", "/q/health/ready", "/"};
        for (String method : methods) {
            for (String path : paths) {
                String name = method.length() > 10 ? method.substring(0, 10) + "..." : method;
                cases.add(name + " " + path, request(method, path, Map.of(), latin1(CHAT)));
            }
        }
        for (int i = 0; i < 30; i++) {
            cases.add("random method #" + i, request(randomText(random, 1 + random.nextInt(12), i % 2 == 0), CHAT_PATH,
                    Map.of(), latin1(CHAT)));
        }
        cases.add("CONNECT", latin1("CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n"));
    }

    /** Random characters; with {@code wild}, control characters and Latin-1 bytes too (never CR or LF). */
    static String randomText(Random random, int length, boolean wild) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = wild ? (char) (1 + random.nextInt(255)) : (char) ('!' + random.nextInt(94));
            text.append(c == '\r' || c == '\n' ? 'x' : c);
        }
        return text.toString();
    }

    private static byte[] replaced(byte[] bytes, int at, byte value) {
        byte[] copy = bytes.clone();
        copy[at] = value;
        return copy;
    }

    private static Map<String, String> mapOf(String name, String value) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(name, value);
        return map;
    }
}
