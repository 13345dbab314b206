package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.sluice.upstream.TestUpstream.Reply;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** {@code "stream": true}: the upstream's event stream is relayed as it is sent, never buffered. */
@QuarkusTest
class StreamingTest {

    static final String STREAM_BODY = "{\"model\":\"gpt-test\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TestHTTPResource("/v1/chat/completions")
    URI chatCompletions;

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
    void theCallerGetsTheFirstChunkBeforeTheUpstreamSendsTheLast() throws Exception {
        List<String> chunks = TestUpstream.streamChunks();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Reply.gatedStream(chunks.get(0), gate, chunks.subList(1, chunks.size()).toArray(String[]::new)));

        HttpResponse<InputStream> response = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(chatCompletions)
                        .header("Authorization", "Bearer sk-streamer")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("x-request-id")).hasValue("req-stream-1");
        try (InputStream body = response.body()) {
            byte[] expectedFirst = chunks.get(0).getBytes(StandardCharsets.UTF_8);
            // The upstream holds the rest back until the gate opens: if anything buffered the
            // stream, this read would never complete.
            byte[] first = CompletableFuture.supplyAsync(() -> readExactly(body, expectedFirst.length))
                    .get(10, TimeUnit.SECONDS);
            assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(chunks.get(0));

            gate.complete(null);
            String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).isEqualTo(String.join("", chunks.subList(1, chunks.size())));
        } finally {
            gate.complete(null);
        }
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
    void aCallerWhoHangsUpStopsTheUpstreamStream() throws Exception {
        CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
        upstream.enqueue(Reply.endlessStream(upstreamClosed));

        HttpResponse<InputStream> response = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(chatCompletions)
                        .header("Authorization", "Bearer sk-streamer")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
        InputStream body = response.body();
        CompletableFuture.supplyAsync(() -> readExactly(body, 10)).get(10, TimeUnit.SECONDS);
        body.close(); // the caller goes away mid-stream

        // Sluice resets its upstream request, so the upstream stops generating for nobody.
        upstreamClosed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void relaysEveryByteOfTheStreamIncludingCommentsAndEventNames() {
        String stream = ": keep-alive comment\n\nevent: delta\ndata: {\"a\":1}\n\nid: 7\ndata: [DONE]\n\n";
        upstream.enqueue(Reply.stream(5, stream.substring(0, 10), stream.substring(10, 40), stream.substring(40)));

        String body = given().header("Authorization", "Bearer sk-streamer").contentType(ContentType.JSON)
                .body(STREAM_BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(200).contentType("text/event-stream").extract().asString();

        assertThat(body).isEqualTo(stream);
    }

    @Test
    void anUpstreamErrorToAStreamRequestIsRelayedWithItsStatus() {
        String error = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";
        upstream.enqueue(Reply.json(429, error, Map.of("retry-after", "30", "x-ratelimit-remaining-requests", "0")));

        given().header("Authorization", "Bearer sk-streamer").contentType(ContentType.JSON).body(STREAM_BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(429)
                .header("retry-after", "30")
                .header("x-ratelimit-remaining-requests", "0")
                .body(equalTo(error));
    }

    @Test
    void streamsAreRequestedWithTheCallersHeaders() {
        given().header("Authorization", "Bearer sk-streamer").header("User-Agent", "my-app/2.0")
                .contentType(ContentType.JSON).body(STREAM_BODY)
                .when().post("/v1/chat/completions").then().statusCode(200);

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.bodyText()).isEqualTo(STREAM_BODY);
            assertThat(request.headers().get("Authorization")).isEqualTo("Bearer sk-streamer");
            assertThat(request.headers().get("User-Agent")).isEqualTo("my-app/2.0");
        });
    }

    static byte[] readExactly(InputStream in, int length) {
        try {
            return in.readNBytes(length);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
