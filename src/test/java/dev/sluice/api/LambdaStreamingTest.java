package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.sluice.upstream.TestUpstream.Reply;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a {@code "stream": true} caller gets on AWS Lambda: API Gateway hands on a function's
 * response only once it is complete, so Sluice gathers the stream and answers with the whole event
 * stream, byte for byte as the upstream sent it, and its Content-Length. Runs in the lambda profile
 * ({@code mvn verify -Plambda}), where RestAssured goes through Quarkus's mock event server as API
 * Gateway would.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true")
class LambdaStreamingTest {

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    void theCallerGetsTheWholeEventStreamInOneResponse() {
        List<String> chunks = TestUpstream.streamChunks();
        upstream.enqueue(Reply.gatedStream(chunks.get(0), CompletableFuture.completedFuture(null),
                chunks.subList(1, chunks.size()).toArray(String[]::new)));

        String body = given().header("Authorization", "Bearer sk-lambda-streamer").contentType(ContentType.JSON)
                .body(StreamingTest.STREAM_BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(200).contentType("text/event-stream").header("x-request-id", "req-stream-1")
                .extract().asString();

        assertThat(body).isEqualTo(String.join("", chunks));
    }

    /**
     * The function's own answer, as API Gateway receives it (an HTTP API event posted straight to the
     * mock event server): one body with its length, no chunked transfer encoding. Written chunked,
     * Quarkus's handler passed on an empty Transfer-Encoding header and the caller waited for ever.
     */
    @Test
    void theFunctionAnswersWithAContentLengthAndNoTransferEncoding() {
        List<String> chunks = TestUpstream.streamChunks();
        upstream.enqueue(Reply.stream(5, chunks.toArray(String[]::new)));
        Map<String, Object> event = Map.of(
                "version", "2.0",
                "rawPath", "/v1/chat/completions",
                "headers", Map.of("authorization", "Bearer sk-lambda-event", "content-type", "application/json"),
                "requestContext", Map.of("http", Map.of("method", "POST", "path", "/v1/chat/completions",
                        "sourceIp", "127.0.0.1")),
                "body", StreamingTest.STREAM_BODY,
                "isBase64Encoded", false);

        JsonPath answer = given().contentType(ContentType.JSON).body(event)
                .when().post("/_lambda_")
                .then().statusCode(200).extract().jsonPath();

        // Quarkus's handler looks for "Content-Type" and finds "content-type": it sends the body as
        // base64, which API Gateway decodes for the caller
        String body = answer.getBoolean("isBase64Encoded")
                ? new String(Base64.getDecoder().decode(answer.getString("body")), StandardCharsets.UTF_8)
                : answer.getString("body");
        Map<String, String> headers = answer.getMap("headers", String.class, String.class);
        assertThat(answer.getInt("statusCode")).isEqualTo(200);
        assertThat(body).isEqualTo(String.join("", chunks));
        assertThat(headers).containsEntry("content-type", "text/event-stream")
                .containsEntry("content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        assertThat(headers.keySet()).noneMatch(name -> name.equalsIgnoreCase("transfer-encoding"));
    }
}
