package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A blocking HTTP/1.1 client for one simulator in tests; every call is bounded in time. */
final class SimulatorClient {

    static final String KEY = "sk-sim-1";
    static final String SMALL_CHAT = "{\"model\":\"gpt-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final String root;

    SimulatorClient(OpenAiSimulator simulator) {
        port = simulator.port();
        root = "http://127.0.0.1:" + port;
    }

    HttpResponse<String> chat(String body) {
        return post("/v1/chat/completions", KEY, body);
    }

    HttpResponse<String> responses(String body) {
        return post("/v1/responses", KEY, body);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String key, String body) {
        return send(request(path, key, body, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends a POST over a plain socket and reads until the server closes the connection: the raw
     * reply, head and chunked body as they came. java.net.http may drop the data that arrived just
     * before an abrupt close, so a cut stream is read this way.
     */
    String postReadingUntilClosed(String path, String body) {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpRequest request(String path, String key, String body, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return request.build();
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode stats() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(root + "/stats")).timeout(Duration.ofSeconds(10)).build();
        return json(send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    int resetStats() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(root + "/stats/reset")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A chat body whose prompt is {@code promptChars} characters, with optional extra JSON members. */
    static String chatWithPrompt(int promptChars, String extraMembers) {
        return "{\"model\":\"gpt-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(promptChars) + "\"}]"
                + (extraMembers.isEmpty() ? "" : "," + extraMembers) + "}";
    }
}
