package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code SLUICE_CALLER_COALESCE=true}: identical whole requests of one caller in flight share one upstream call.
 * Not on Lambda: an instance there serves one request at a time, so nothing is ever in flight beside another.
 */
@QuarkusTest
@TestProfile(CoalescingTest.Coalescing.class)
@DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.ONE_AT_A_TIME)
class CoalescingTest {

    public static class Coalescing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.caller.coalesce", "true", "sluice.caller.burst", "100");
        }
    }

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    private static CompletableFuture<Response> send(String key, String body) {
        return CompletableFuture.supplyAsync(() -> given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(body).when().post("/v1/chat/completions"));
    }

    private static double coalescedSoFar() {
        String metrics = given().when().get("/q/metrics").then().extract().asString();
        return metrics.lines().filter(line -> line.startsWith("sluice_coalesced_total{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void identicalRequestsInFlightShareOneUpstreamCallAndEachGetsTheReply() throws Exception {
        String body = "{\"model\":\"gpt-4o\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + UUID.randomUUID() + "\"}]}";
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Reply.after(gate, Reply.completion()));
        double before = coalescedSoFar();

        List<CompletableFuture<Response>> answers = new ArrayList<>();
        answers.add(send("sk-coalesce", body));
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requests().size() == 1);
        for (int i = 0; i < 4; i++) {
            answers.add(send("sk-coalesce", body));
        }
        // the four have joined the call in flight before the upstream answers it
        await().atMost(Duration.ofSeconds(10)).until(() -> coalescedSoFar() - before == 4);
        gate.complete(null);

        List<Response> replies = new ArrayList<>();
        for (CompletableFuture<Response> answer : answers) {
            replies.add(answer.get(10, TimeUnit.SECONDS));
        }
        assertThat(replies).allSatisfy(reply -> {
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body().asString()).isEqualTo(TestUpstream.COMPLETION);
        });
        assertThat(replies.get(0).header(Coalescer.HEADER)).as("the leader's own call").isNull();
        assertThat(replies.subList(1, 5)).allSatisfy(reply -> assertThat(reply.header(Coalescer.HEADER)).isEqualTo("true"));
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void anotherCallersIdenticalRequestAndAStreamGoUpstreamOnTheirOwn() throws Exception {
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + UUID.randomUUID() + "\"}]}";
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Reply.after(gate, Reply.completion()), Reply.after(gate, Reply.completion()));

        CompletableFuture<Response> mine = send("sk-coalesce-a", body);
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requests().size() == 1);
        CompletableFuture<Response> theirs = send("sk-coalesce-b", body);
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requests().size() == 2);
        gate.complete(null);

        assertThat(mine.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(theirs.get(10, TimeUnit.SECONDS).header(Coalescer.HEADER)).isNull();
        upstream.enqueue(Reply.stream(0, TestUpstream.streamChunks().toArray(String[]::new)),
                Reply.stream(0, TestUpstream.streamChunks().toArray(String[]::new)));
        String stream = body.replace("{\"model\"", "{\"stream\":true,\"model\"");
        List<CompletableFuture<Response>> streams = List.of(send("sk-coalesce-a", stream), send("sk-coalesce-a", stream));
        for (CompletableFuture<Response> each : streams) {
            assertThat(each.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(upstream.requests()).hasSize(4);
    }
}
