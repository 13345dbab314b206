package dev.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

import static dev.sluice.bench.HostileCase.CHAT;
import static dev.sluice.bench.HostileCase.concat;
import static dev.sluice.bench.HostileCase.latin1;
import static dev.sluice.bench.HostileCase.request;
import static dev.sluice.bench.HostileCases.CHAT_PATH;

/**
 * Hostile sizes and raw HTTP framing for {@link HostileInput}: bodies at and past SLUICE_MAX_BODY (by
 * length and chunked), lying or doubled Content-Length, bad chunk sizes, Content-Length with
 * Transfer-Encoding (request smuggling), broken request lines and line endings.
 */
final class FramingCases {

    /** The head of a chat request without its length headers; the case adds its own framing. */
    private static final String HEAD = "POST " + CHAT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer hostile-caller\r\nContent-Type: application/json\r\n";
    /** A second, valid request, smuggled or pipelined behind the first. */
    private static final String SMUGGLED = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer smuggled\r\nConnection: close\r\n\r\n";

    private FramingCases() {
    }

    static void sizes(HostileCase.Builder cases, Random random, long maxBodyBytes) {
        int max = (int) Math.min(maxBodyBytes, 64L << 20);
        cases.add("body of exactly SLUICE_MAX_BODY", request("POST", CHAT_PATH, Map.of(), padded(max)));
        cases.add("body one byte over SLUICE_MAX_BODY", request("POST", CHAT_PATH, Map.of(), padded(max + 1)));
        cases.add("body twice SLUICE_MAX_BODY", request("POST", CHAT_PATH, Map.of(), padded(2 * max)));
        cases.add("chunked body of exactly SLUICE_MAX_BODY", chunked(padded(max), 64 * 1024));
        cases.add("chunked body one byte over SLUICE_MAX_BODY", chunked(padded(max + 1), 64 * 1024));
        cases.add("chunked body twice SLUICE_MAX_BODY", chunked(padded(2 * max), 64 * 1024));
        cases.add("chunked body of SLUICE_MAX_BODY / 8 in 1-byte chunks", chunked(padded(max / 8 + 1), 1));
        String[] lengths = {Long.toString(maxBodyBytes + 1), "1000000000000", "9223372036854775807",
                "18446744073709551616", "-1", "0", "+10", "0x10", "1e3", " 10", "010", "", "abc", "10, 10", "10,20"};
        for (String length : lengths) {
            cases.add("Content-Length: " + length + " (10-byte body)", latin1(HEAD + "Content-Length: " + length
                    + "\r\nConnection: close\r\n\r\n{\"a\":\"b\"}\n"));
        }
        for (int i = 0; i < 30; i++) { // a declared length past the limit, and a few bytes of body
            long declared = maxBodyBytes + 1 + (long) random.nextInt(Integer.MAX_VALUE) * (i % 3);
            cases.add("Content-Length " + declared + " over the limit", latin1(HEAD + "Content-Length: " + declared
                    + "\r\nConnection: close\r\n\r\n" + CHAT));
        }
        cases.add("empty body, Content-Length 0", request("POST", CHAT_PATH, Map.of(), new byte[0]));
        cases.add("no Content-Length, no body", latin1(HEAD + "Connection: close\r\n\r\n"));
    }

    static void framing(HostileCase.Builder cases, Random random) {
        byte[] chat = latin1(CHAT);
        // request smuggling: both framings, in both orders, and the second request behind them
        cases.add("CL.TE smuggling", latin1(HEAD + "Content-Length: " + (5 + SMUGGLED.length())
                + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED), 2);
        cases.add("TE.CL smuggling", latin1(HEAD + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                + Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n"), 2);
        String[] encodings = {"chunked", " chunked", "Chunked", "chunked, identity", "identity, chunked", "xchunked",
                "chunked\t", "\tchunked", "chunk", "gzip, chunked", "chunked, chunked", "identity", "cow"};
        for (String encoding : encodings) {
            cases.add("TE '" + encoding + "' and CL", latin1(HEAD + "Transfer-Encoding: " + encoding + "\r\nContent-Length: "
                    + chat.length + "\r\n\r\n" + Integer.toHexString(chat.length) + "\r\n" + CHAT + "\r\n0\r\n\r\n"
                    + SMUGGLED), 2);
            cases.add("TE '" + encoding + "' alone", latin1(HEAD + "Transfer-Encoding: " + encoding + "\r\n"
                    + "Connection: close\r\n\r\n" + Integer.toHexString(chat.length) + "\r\n" + CHAT + "\r\n0\r\n\r\n"));
        }
        cases.add("two Transfer-Encoding headers", latin1(HEAD + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n" + Integer.toHexString(chat.length) + "\r\n" + CHAT + "\r\n0\r\n\r\n"));
        cases.add("two different Content-Length", latin1(HEAD + "Content-Length: " + chat.length + "\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n\r\n" + CHAT));
        cases.add("two equal Content-Length", latin1(HEAD + "Content-Length: " + chat.length + "\r\nContent-Length: "
                + chat.length + "\r\nConnection: close\r\n\r\n" + CHAT));
        // bad chunk sizes
        String[] sizes = {"zz", "-1", "0x10", "ffffffffffffffff", "7fffffffffffffff", "1;ext=\"x", "  5", "5 5", "", "G",
                "100000000", "1\r\n", "\u00ff"};
        for (String size : sizes) {
            cases.add("chunk size '" + size.replace("\r\n", "\\r\\n") + "'", latin1(HEAD + "Transfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n" + size + "\r\n" + CHAT + "\r\n0\r\n\r\n"));
        }
        for (int i = 0; i < 40; i++) { // a chunk whose size says more or less than it holds
            int lie = chat.length + random.nextInt(41) - 20;
            cases.add("chunk of " + chat.length + " bytes declared " + lie, latin1(HEAD + "Transfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n" + Integer.toHexString(Math.max(0, lie)) + "\r\n" + CHAT + "\r\n0\r\n\r\n"));
        }
        cases.add("chunked without the last chunk", latin1(HEAD + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(chat.length) + "\r\n" + CHAT + "\r\n"));
        cases.add("chunked with a trailer", latin1(HEAD + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(chat.length) + "\r\n" + CHAT + "\r\n0\r\nContent-Length: 5\r\nX-T: 1\r\n\r\n"));
        for (int i = 0; i < 40; i++) { // lying Content-Length: shorter leaves bytes behind, longer waits for them
            int lie = Math.max(0, chat.length + (i % 2 == 0 ? -1 - random.nextInt(chat.length) : 1 + random.nextInt(20)));
            cases.add("Content-Length " + lie + " for " + chat.length + " bytes", latin1(HEAD + "Content-Length: " + lie
                    + "\r\n\r\n" + CHAT), 2);
        }
        String[] lines = {"POST " + CHAT_PATH + " HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + chat.length + "\r\n\r\n" + CHAT,
                "GET /\r\n\r\n", "GET / HTTP/0.9\r\n\r\n", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
                "GET / HTTP/9.9\r\nHost: x\r\n\r\n", "GET / FOO/1.1\r\nHost: x\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                "GET  /  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET /q/health HTTP/1.1\nHost: x\nConnection: close\n\n",
                "GET /q/health HTTP/1.1\rHost: x\r\r", "GET /q/health HTTP/1.1\r\nHost: x\r\n Folded: y\r\nConnection: close\r\n\r\n",
                "GET /q/health HTTP/1.1\r\nHost: x\r\nNo-Colon\r\nConnection: close\r\n\r\n",
                "GET /q/health HTTP/1.1\r\nHost: x\r\nBad Name: y\r\nConnection: close\r\n\r\n",
                "GET /q/health HTTP/1.1\r\nHost: x\r\n: empty-name\r\nConnection: close\r\n\r\n",
                "GET /q/health HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\nConnection: close\r\n\r\n",
                "GET /q/he\u0000alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "\r\n\r\nGET /q/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n",
                "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", "GET /q/health HTTP/1.1\r\nHost: x\r\n"
                + "Connection: keep-alive\r\n\r\nGET /q/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"};
        for (String line : lines) {
            cases.add("raw " + preview(line), latin1(line), line.contains("keep-alive") ? 2 : 1);
        }
        for (int i = 0; i < 30; i++) { // random bytes, then a random cut of a valid request
            byte[] noise = new byte[1 + random.nextInt(i % 5 == 0 ? 30_000 : 200)];
            random.nextBytes(noise);
            cases.add("random bytes #" + i, noise);
            byte[] valid = request("POST", CHAT_PATH, Map.of(), chat);
            cases.add("valid request cut at a random byte #" + i, java.util.Arrays.copyOf(valid, random.nextInt(valid.length)));
        }
    }

    /** A valid chat body padded with spaces to exactly {@code size} bytes. */
    private static byte[] padded(int size) {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) ' ');
        byte[] chat = CHAT.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(chat, 0, body, 0, Math.min(chat.length, size));
        return body;
    }

    private static byte[] chunked(byte[] body, int chunkSize) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length + body.length / chunkSize * 8 + 300);
        out.writeBytes(latin1(HEAD + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
        for (int at = 0; at < body.length; at += chunkSize) {
            int size = Math.min(chunkSize, body.length - at);
            out.writeBytes(latin1(Integer.toHexString(size) + "\r\n"));
            out.write(body, at, size);
            out.writeBytes(latin1("\r\n"));
        }
        out.writeBytes(latin1("0\r\n\r\n"));
        return out.toByteArray();
    }

    private static String preview(String text) {
        String shown = text.replace("\r", "\\r").replace("\n", "\\n");
        return shown.length() > 40 ? shown.substring(0, 40) + "..." : shown;
    }
}
