package dev.sluice.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP/1.1 exchange over a plain socket, with the request written byte for byte as given: for framing
 * that RestAssured will not produce (a chunked body, a length that lies, a head over the limits).
 */
final class RawHttp {

    private static final int READ_TIMEOUT_MILLIS = 10_000;

    /** A response as it came off the wire; header names in lower case; how many interim (1xx) responses came before it. */
    record Response(int status, Map<String, String> headers, String body, int interimResponses) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code request} and reads the first response. The request is written on another thread: a
     * server that refuses early stops reading, and the rest of the write then fails, which is no failure
     * of the exchange.
     */
    static Response exchange(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            CompletableFuture.runAsync(() -> {
                try {
                    out.write(request);
                    out.flush();
                } catch (IOException refusedMidWrite) {
                    // the server answered and closed before it had read everything
                }
            });
            return read(socket.getInputStream());
        }
    }

    /** {@code head} (request line and headers, without the blank line) followed by {@code body} chunked in pieces of {@code chunkBytes}. */
    static byte[] chunked(String head, byte[] body, int chunkBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((head + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int offset = 0; offset < body.length; offset += chunkBytes) {
            int length = Math.min(chunkBytes, body.length - offset);
            out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, offset, length);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The first final response: an interim one (100 Continue) is skipped. */
    private static Response read(InputStream in) throws IOException {
        int interim = 0;
        Response response = readOne(in);
        for (; response.status() < 200; response = readOne(in)) {
            interim++;
        }
        return new Response(response.status(), response.headers(), response.body(), interim);
    }

    private static Response readOne(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the connection closed without a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        byte[] body = status < 200 ? new byte[0] : length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8), 0);
    }

    /** A line without its CRLF; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }
}
