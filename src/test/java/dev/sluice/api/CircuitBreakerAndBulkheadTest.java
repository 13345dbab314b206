package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One attempt per request (no retries, so counts are plain), a breaker that opens after 3 consecutive
 * failures for 1 s, and a bulkhead of 1 call (plus 1 queued). The test upstream times out after 2 s.
 */
@QuarkusTest
@TestProfile(CircuitBreakerAndBulkheadTest.Guarded.class)
class CircuitBreakerAndBulkheadTest {

    public static class Guarded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.retry.max-attempts", "1",
                    "sluice.upstream.breaker-failures", "3",
                    "sluice.upstream.breaker-delay", "1s",
                    "sluice.upstream.max-concurrent", "1",
                    "sluice.upstream.timeout", "2s",
                    "sluice.caller.burst", "100");
        }
    }

    private static final Reply BROKEN = Reply.json(500, "{\"error\":{\"message\":\"broken\",\"type\":\"server_error\"}}", Map.of());
    private static final Reply LIMITED = Reply.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\"}}",
            Map.of("retry-after", "30"));

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
        assertThat(awaitSuccess()).as("a breaker a previous test opened lets its probe through and closes").isTrue();
        upstream.reset();
    }

    /** Requests until one succeeds (an open breaker answers 503 without calling the upstream), for at most 15 s. */
    private static boolean awaitSuccess() {
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> chat().statusCode() == 200);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    private void awaitUpstreamRequests(int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requests().size() >= count);
        assertThat(upstream.requests()).hasSize(count);
    }

    private static Response chat() {
        return chat("sk-guarded");
    }

    /** Pass-through mode: each token is a caller of its own. */
    private static Response chat(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(CallerLimitTest.BODY)
                .when().post("/v1/chat/completions");
    }

    @Test
    void consecutiveFailuresOfTwoCallersOpenTheBreakerAndAProbeClosesIt() {
        upstream.enqueue(BROKEN, BROKEN, BROKEN, BROKEN);
        // The breaker counts failures once two callers have failed within a minute (the default
        // SLUICE_UPSTREAM_BREAKER_CALLERS): the other caller's failure counts only if a test before left a
        // caller's failure of its own, so the breaker opens after three or four failures.
        assertThat(chat("sk-guarded-other").statusCode()).isEqualTo(500);
        for (int i = 0; i < 2; i++) {
            assertThat(chat().statusCode()).isEqualTo(500);
        }
        assertThat(chat().statusCode()).isIn(500, 503);
        int called = upstream.requests().size();
        assertThat(called).isIn(3, 4);

        Response refused = chat();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("upstream_unavailable");
        assertThat(refused.header("retry-after")).as("until the breaker lets a probe through: its 1 s delay").isEqualTo("1");
        assertThat(upstream.requests()).as("an open breaker does not call the upstream").hasSize(called);

        assertThat(awaitSuccess()).as("after its delay, the probe succeeds").isTrue();
        assertThat(chat().statusCode()).isEqualTo(200);
    }

    @Test
    void oneCallerWhoseRequestsMakeTheUpstreamFailCannotCutOthersOff() {
        upstream.enqueue(BROKEN, BROKEN, BROKEN, BROKEN, BROKEN, BROKEN);
        for (int i = 0; i < 6; i++) {
            assertThat(chat("sk-poison").statusCode()).as("its own failures come back to it").isEqualTo(500);
        }

        assertThat(chat("sk-bystander").statusCode()).as("the breaker stayed closed for everyone else").isEqualTo(200);
        assertThat(upstream.requests()).hasSize(7);
    }

    @Test
    void aStreamSilentForLongerThanTheTimeoutIsEndedWithAnErrorEvent() {
        List<String> chunks = TestUpstream.streamChunks();
        upstream.enqueue(Reply.stream(3000, chunks.toArray(String[]::new))); // 3 s between chunks, 2 s allowed

        long started = System.nanoTime();
        String relayed = given().header("Authorization", "Bearer sk-guarded").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200).extract().asString();

        assertThat(relayed).startsWith(chunks.get(0)).endsWith(RequestRelay.STREAM_BROKE_OFF_EVENT);
        assertThat(relayed).doesNotContain(chunks.get(1));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("cut after the 2 s silence, not at the end")
                .isLessThan(5500);
    }

    @Test
    void theUpstreamsRateLimitDoesNotOpenTheBreaker() {
        upstream.enqueue(LIMITED, LIMITED, LIMITED, LIMITED);
        for (int i = 0; i < 4; i++) {
            assertThat(chat().statusCode()).isEqualTo(429);
            TestClock.CLOCK.advanceSeconds(31); // past the pause the 429 asked for
        }

        assertThat(chat().statusCode()).isEqualTo(200);
        assertThat(upstream.requests()).hasSize(5);
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.ONE_AT_A_TIME)
    void callsBeyondTheBulkheadAndItsQueueAre503() throws Exception {
        upstream.enqueue(Reply.hang(), Reply.hang());
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(CircuitBreakerAndBulkheadTest::chat);
        awaitUpstreamRequests(1); // the first is in the bulkhead

        // Two more at once: whichever reaches the bulkhead first waits in its one-place queue, the other
        // finds it full. Nothing outside shows which, so neither is assumed.
        List<CompletableFuture<Response>> next = List.of(CompletableFuture.supplyAsync(CircuitBreakerAndBulkheadTest::chat),
                CompletableFuture.supplyAsync(CircuitBreakerAndBulkheadTest::chat));
        List<Response> answers = new ArrayList<>();
        for (CompletableFuture<Response> call : next) {
            answers.add(call.get(30, TimeUnit.SECONDS));
        }

        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).as("the upstream never answered it").isEqualTo(504);
        assertThat(answers).extracting(Response::statusCode).as("one queued, then timed out like the first; one refused")
                .containsExactlyInAnyOrder(504, 503);
        Response refused = answers.stream().filter(answer -> answer.statusCode() == 503).findFirst().orElseThrow();
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("upstream_busy");
        assertThat(upstream.requests()).as("the refused one never reached the upstream").hasSize(2);
    }
}
