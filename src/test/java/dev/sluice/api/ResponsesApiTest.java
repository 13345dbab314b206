package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import dev.sluice.usage.ResponsesStream;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
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

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /v1/responses}, plain and streamed, on {@link UsageTokenAccountingTest}'s upstream key of
 * 1000 tokens a minute counted by usage: each request below reserves about 900 tokens, so a second one
 * passes only once the first was settled by the usage the upstream reported (in the body, or in the
 * stream's {@code response.completed} event).
 */
@QuarkusTest
@TestProfile(UsageTokenAccountingTest.Usage.class)
class ResponsesApiTest {

    static final String RESPONSE = """
            {"id":"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b","object":"response","created_at":1741476542,\
            "status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":890,\
            "model":"gpt-4.1-2025-04-14","output":[{"type":"message","id":"msg_67ccd2bf17f0819081ff3bb2cf6508e6",\
            "status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi!","annotations":[]}]}],\
            "parallel_tool_calls":true,"previous_response_id":null,"store":true,"temperature":1.0,"tool_choice":"auto",\
            "tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":0},\
            "output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":12},"user":null,"metadata":{}}""";

    @TestHTTPResource("/v1/responses")
    URI responses;

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    static String body(long maxOutputTokens, boolean stream) {
        return "{\"model\":\"gpt-4o\",\"input\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_output_tokens\":" + maxOutputTokens
                + ",\"stream\":" + stream + "}";
    }

    static ValidatableResponse respond(String token, String body) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/responses").then();
    }

    @Test
    void aResponseIsRelayedAsItCameAndSettledByItsUsage() {
        upstream.enqueue(Reply.json(200, RESPONSE, Map.of("x-request-id", "req-resp-1")));
        String sent = body(890, false);

        String answer = respond("sk-responses", sent).statusCode(200).header("x-request-id", "req-resp-1")
                .extract().asString();

        assertThat(answer).isEqualTo(RESPONSE);
        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/responses");
            assertThat(request.bodyText()).isEqualTo(sent);
        });
        // settled to the 12 used: another ~900 reservation fits in the 1000
        respond("sk-responses", body(890, false)).statusCode(200);
    }

    @Test
    void aStreamIsSettledByItsCompletedEventAndGoesUpstreamUnchanged() {
        upstream.enqueue(Reply.stream(0, ResponsesStream.EVENTS.toArray(String[]::new)));
        String sent = body(950, true);

        String relayed = respond("sk-responses-stream", sent).statusCode(200).extract().asString();

        assertThat(relayed).isEqualTo(String.join("", ResponsesStream.EVENTS));
        // no stream_options added: a Responses stream reports its usage unasked, and refuses include_usage
        assertThat(upstream.requests().get(0).bodyText()).isEqualTo(sent);
        // settled to the 48 the completed event reports
        respond("sk-responses-stream", body(900, false)).statusCode(200);
    }

    @Test
    void aStreamCutBeforeItsCompletedEventKeepsItsReservation() {
        upstream.enqueue(Reply.streamThenDrop(ResponsesStream.CREATED, ResponsesStream.DELTA_HI));

        respond("sk-responses-cut", body(950, true)).statusCode(200);

        // what the cut stream used is unknown: its ~950 stay reserved, and another ~900 does not fit
        respond("sk-responses-cut", body(900, false)).statusCode(429)
                .body("error.code", equalTo("rate_limit_exceeded"));
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
    void theFirstEventReachesTheCallerBeforeTheUpstreamSendsTheRest() throws Exception {
        List<String> events = ResponsesStream.EVENTS;
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Reply.gatedStream(events.get(0), gate, events.subList(1, events.size()).toArray(String[]::new)));

        HttpResponse<InputStream> response = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(responses)
                        .header("Authorization", "Bearer sk-responses-gated").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(100, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);

        try (InputStream stream = response.body()) {
            byte[] expected = events.get(0).getBytes(StandardCharsets.UTF_8);
            byte[] first = CompletableFuture.supplyAsync(() -> StreamingTest.readExactly(stream, expected.length))
                    .get(10, TimeUnit.SECONDS);
            assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(events.get(0));
            gate.complete(null);
            assertThat(new String(stream.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(String.join("", events.subList(1, events.size())));
        } finally {
            gate.complete(null);
        }
    }

    @Test
    void aModerationIsMeteredByItsInputAndMayNameNoModel() {
        upstream.enqueue(Reply.json(200, "{\"id\":\"modr-1\",\"model\":\"omni-moderation-latest\",\"results\":[{\"flagged\":false}]}",
                Map.of()));
        String sent = "{\"input\":\"" + "word ".repeat(200) + "\"}";

        given().header("Authorization", "Bearer sk-moderation").contentType(ContentType.JSON).body(sent)
                .when().post("/v1/moderations").then().statusCode(200).body("results[0].flagged", equalTo(false));

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/moderations");
            assertThat(request.bodyText()).isEqualTo(sent);
        });
        // its ~250 input tokens stay reserved (a moderation reports no usage): 800 more do not fit the 1000
        respond("sk-moderation", body(800, false)).statusCode(429);
    }

    @Test
    void aBodyOpenAiWouldRefuseIsRefusedBeforeAnyBucketOrUpstream() {
        respond("sk-responses-bad", body(10, false)).statusCode(400)
                .body("error.param", equalTo("max_output_tokens"))
                .body("error.code", equalTo("integer_below_min_value"))
                .body("error.message", equalTo("Invalid 'max_output_tokens': integer below minimum value. "
                        + "Expected a value >= 16, but got 10 instead."));
        respond("sk-responses-bad", "{\"model\":\"gpt-4o\",\"input\":5}").statusCode(400)
                .body("error.param", equalTo("input")).body("error.code", equalTo("invalid_type"));
        respond("sk-responses-bad", "{\"model\":\"gpt-4o\",\"input\":[\"hi\"]}").statusCode(400)
                .body("error.param", equalTo("input[0]"));
        respond("sk-responses-bad", "{\"model\":\"gpt-4o\",\"input\":\"hi\",\"instructions\":{}}").statusCode(400)
                .body("error.param", equalTo("instructions"));

        assertThat(upstream.requests()).isEmpty();
    }
}
