package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static dev.sluice.api.RawHttp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Sluice answers before a request reaches its resources, written byte for byte on a socket (framing
 * RestAssured cannot produce): every refusal a 4xx in OpenAI's error JSON, logged once with its status and
 * never with an ERROR, and nothing of the request reaching the upstream. The body limit is 1 KiB here.
 */
@QuarkusTest
@TestProfile(HttpEdgeTest.OneKilobyteBodies.class)
@DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
class HttpEdgeTest {

    public static class OneKilobyteBodies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.max-body", "1K");
        }
    }

    static final String CHAT_HEAD = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer sk-edge\r\nContent-Type: application/json";

    final TestUpstream upstream = TestUpstreamResource.upstream();
    final ObjectMapper json = new ObjectMapper();
    TestLogCapture log;

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
        log = TestLogCapture.install();
    }

    @AfterEach
    void uninstall() {
        log.close();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1536, 9 * 1024, 100 * 1024})
    void refusesAChunkedBodyOverTheLimit(int bodyBytes) throws IOException {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port, RawHttp.chunked(CHAT_HEAD, chatBody(bodyBytes), 512));

        assertOpenAiError(response, 413, "request_too_large");
        assertThat(upstream.requests()).isEmpty();
        assertLoggedOnceAs("POST /v1/chat/completions 413");
    }

    @Test
    void aChunkedBodyWithinTheLimitIsServed() throws IOException {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                RawHttp.chunked(CHAT_HEAD + "\r\nConnection: close", chatBody(900), 100));

        assertThat(response.status()).isEqualTo(200);
        assertThat(upstream.requests()).hasSize(1);
        assertThat(upstream.requests().get(0).body()).hasSize(900);
    }

    @Test
    void aContentLengthBesideChunkedFramingIsRefusedByVertx() throws IOException {
        // Both framings at once is how requests are smuggled past a proxy: Vert.x refuses it while decoding,
        // before any application code runs, so this 400 is Vert.x's own, without a body (see RequestHeadLimits)
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                RawHttp.chunked(CHAT_HEAD + "\r\nContent-Length: 10", chatBody(9 * 1024), 1024));

        assertThat(response.status()).isEqualTo(400);
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aContentLengthShorterThanTheBodyIsAllThatIsRead() throws IOException {
        byte[] body = chatBody(9 * 1024);
        byte[] head = ascii(CHAT_HEAD + "\r\nContent-Length: 100\r\n\r\n");
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);

        RawHttp.Response response = RawHttp.exchange(RestAssured.port, request);

        // the first 100 bytes are the whole body as far as HTTP goes: a JSON document cut short
        assertOpenAiError(response, 400, "invalid_json");
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aContentLengthOverTheLimitIsRefusedBeforeTheBodyIsSent() throws IOException {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                ascii(CHAT_HEAD + "\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"));

        assertOpenAiError(response, 413, "request_too_large");
        assertThat(upstream.requests()).isEmpty();
        assertLoggedOnceAs("POST /v1/chat/completions 413");
    }

    @Test
    void aBodyAfterExpectContinueIsStillRead() throws IOException {
        byte[] body = chatBody(600);
        byte[] head = ascii(CHAT_HEAD + "\r\nContent-Length: " + body.length + "\r\nExpect: 100-continue\r\n"
                + "Connection: close\r\n\r\n");
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);

        RawHttp.Response response = RawHttp.exchange(RestAssured.port, request);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.interimResponses()).isLessThanOrEqualTo(1);
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void refusesAUriOverTheLimit() throws IOException {
        String query = "q=" + "a".repeat(20 * 1024);
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                ascii("GET /v1/models?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-edge\r\n\r\n"));

        assertOpenAiError(response, 414, "uri_too_long");
        assertThat(upstream.requests()).isEmpty();
        assertLoggedOnceAs("GET /v1/models 414");
    }

    @Test
    void refusesHeadersOverTheLimit() throws IOException {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            headers.append("X-Filler-").append(i).append(": ").append("b".repeat(1000)).append("\r\n");
        }
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                ascii(CHAT_HEAD + "\r\n" + headers + "Content-Length: 2\r\n\r\n{}"));

        assertOpenAiError(response, 431, "headers_too_large");
        assertThat(upstream.requests()).isEmpty();
        assertLoggedOnceAs("POST /v1/chat/completions 431");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /nope", "GET /q/nope", "PUT /v1/models", "TRACE /v1/models", "GET /admin/nope"})
    void anUnknownPathOrMethodAnywhereIsAnOpenAiError(String request) throws IOException {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                ascii(request + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));

        assertThat(response.status()).isIn(404, 405);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode error = json.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /%zz", "POST /v1/chat/completions%zz"})
    void aUriThatIsNotAUriIsRefusedByQuarkus(String request) throws IOException {
        // Quarkus's outermost handler checks the URI with java.net.URI and answers 400 itself, before any
        // filter or route, so this 400 is Quarkus's own, without a body (see docs/operations.md, Errors)
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                ascii(request + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void http11WithoutAHostIsAnOpenAiError() throws IOException {
        RawHttp.Response response = RawHttp.exchange(RestAssured.port,
                ascii("GET /v1/models HTTP/1.1\r\nAuthorization: Bearer sk-edge\r\n\r\n"));

        assertOpenAiError(response, 400, "malformed_request");
        assertThat(upstream.requests()).isEmpty();
        assertLoggedOnceAs("GET /v1/models 400");
    }

    /** A chat request padded with spaces inside the JSON to {@code bytes} in all. */
    static byte[] chatBody(int bytes) {
        String start = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return (start + " ".repeat(bytes - start.length() - 1) + "}").getBytes(StandardCharsets.UTF_8);
    }

    private void assertOpenAiError(RawHttp.Response response, int status, String code) throws IOException {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode error = json.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.has("param")).isTrue();
        assertThat(error.path("message").asText()).isNotEmpty();
    }

    private void assertLoggedOnceAs(String requestAndStatus) {
        assertThat(log.lines()).filteredOn(line -> line.startsWith("dev.sluice.request ") && line.contains(requestAndStatus + " "))
                .hasSize(1);
        assertThat(log.lines()).filteredOn(line -> line.startsWith("dev.sluice.request ")).hasSize(1);
        assertThat(log.errors()).isEmpty();
    }
}
