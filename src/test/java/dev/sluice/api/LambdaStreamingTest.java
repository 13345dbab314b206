package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.sluice.upstream.TestUpstream.Reply;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a {@code "stream": true} caller gets on AWS Lambda: API Gateway and Quarkus's Lambda handler
 * buffer a function's response, so the caller receives the whole event stream, byte for byte as
 * the upstream sent it, in one response once the upstream has sent its last event. Runs in the
 * lambda profile ({@code mvn verify -Plambda}), where RestAssured goes through Quarkus's mock event
 * server as API Gateway would.
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
    void aStreamArrivesWholeOnceTheUpstreamHasSentItsLastEvent() throws Exception {
        List<String> chunks = TestUpstream.streamChunks();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Reply.gatedStream(chunks.get(0), gate, chunks.subList(1, chunks.size()).toArray(String[]::new)));

        CompletableFuture<ExtractableResponse<Response>> reply = CompletableFuture.supplyAsync(() ->
                given().header("Authorization", "Bearer sk-lambda-streamer").contentType(ContentType.JSON)
                        .body(StreamingTest.STREAM_BODY)
                        .when().post("/v1/chat/completions")
                        .then().extract());
        try {
            awaitUpstreamCalled();
            // The upstream has sent its first event and holds back the rest. Over a socket the
            // caller would have it by now (StreamingTest); through Lambda nothing has arrived.
            Thread.sleep(300);
            assertThat(reply).isNotDone();
        } finally {
            gate.complete(null);
        }

        ExtractableResponse<Response> response = reply.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.contentType()).isEqualTo("text/event-stream");
        assertThat(response.header("x-request-id")).isEqualTo("req-stream-1");
        assertThat(response.asString()).isEqualTo(String.join("", chunks));
    }

    private void awaitUpstreamCalled() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (upstream.requests().isEmpty()) {
            assertThat(System.nanoTime()).as("the upstream was called").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
