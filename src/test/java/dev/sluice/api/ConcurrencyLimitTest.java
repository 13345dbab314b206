package dev.sluice.api;

import dev.sluice.keys.CallerKeys;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.RateLimiter;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.startsWith;

/**
 * A plan's max concurrent: a key has at most that many requests in flight, counted in the shared store;
 * a slot comes back when the reply is over, when a stream ends, when the caller hangs up, and, for an
 * instance that died holding it, when its lease lapses.
 */
@QuarkusTest
@TestProfile(ConcurrencyLimitTest.OneAtATime.class)
class ConcurrencyLimitTest {

    static final String DAVE = "sk-sluice-dave-static-key-for-tests-00000000000";
    static final String DAVES_SLOTS = "inflight:caller:env-dave";
    static final String STREAM_BODY = "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    public static class OneAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "sluice.upstream.api-key", "sk-company",
                    "sluice.accept-any-key", "false",
                    "sluice.plans.single.max-concurrent", "1",
                    "sluice.keys.dave.sha256", CallerKeys.hash(DAVE),
                    "sluice.keys.dave.plan", "single",
                    // longer than any wait below: a slot that comes back did not come back by the upstream's timeout
                    "sluice.upstream.timeout", "60s");
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @Inject
    AdmissionGate gate;
    @Inject
    RateLimiter limiter;

    @TestHTTPResource("/v1/chat/completions")
    URI chatCompletions;

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything(); // a day on: any slot an earlier test left behind has lapsed
    }

    private static ValidatableResponse chat() {
        return given().header("Authorization", "Bearer " + DAVE).contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then();
    }

    private static void refusedForConcurrency() {
        chat().statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "caller-concurrency")
                .header("retry-after", "1")
                .header("x-ratelimit-limit-requests", "1")
                .header("x-ratelimit-remaining-requests", "0")
                .body("error.code", org.hamcrest.Matchers.equalTo("rate_limit_exceeded"))
                .body("error.message", startsWith("Too many requests in flight for this key: Limit 1 at once"));
    }

    /** A request sent on another thread, answered once the upstream is let go. */
    private CompletableFuture<Integer> inFlight(CompletableFuture<Void> upstreamLetGo) {
        upstream.enqueue(Reply.after(upstreamLetGo, Reply.completion()));
        int before = upstream.requests().size();
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> chat().extract().statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requests().size() > before);
        return status;
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.ONE_AT_A_TIME)
    void aSecondRequestWhileTheFirstRunsIsRefusedAndTheSlotComesBackWithTheReply() throws Exception {
        CompletableFuture<Void> letGo = new CompletableFuture<>();
        CompletableFuture<Integer> first = inFlight(letGo);

        refusedForConcurrency();
        assertThat(upstream.requests()).as("the refused request never left").hasSize(1);

        letGo.complete(null);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        chat().statusCode(200);
        chat().statusCode(200);
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.ONE_AT_A_TIME)
    void aRunningRequestKeepsItsSlotAcrossLeasePeriodsWhileItsInstanceRenewsIt() throws Exception {
        CompletableFuture<Void> letGo = new CompletableFuture<>();
        CompletableFuture<Integer> first = inFlight(letGo);
        try {
            for (int period = 0; period < 3; period++) { // unrenewed, the slot would lapse after two
                TestClock.CLOCK.advanceNanos(ConcurrencyPolicy.LEASE_NANOS);
                gate.renewSlots();
            }
            refusedForConcurrency();
        } finally {
            letGo.complete(null);
        }
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        chat().statusCode(200);
    }

    @Test
    void oneRequestAfterAnotherEachGetsTheSlotBackWhateverTheUpstreamAnswered() {
        upstream.enqueue(Reply.json(400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}", Map.of()));
        chat().statusCode(400);
        for (int i = 0; i < 3; i++) {
            chat().statusCode(200);
        }
        assertThat(upstream.requests()).hasSize(4);
    }

    @Test
    void theSlotOfAnInstanceThatDiedLapsesWithinTwoLeasePeriods() {
        // another instance took Dave's slot and was never heard of again: no release, no renewal
        assertThat(limiter.tryAcquire(List.of(new BucketCharge(DAVES_SLOTS, ConcurrencyPolicy.of(1), 1)))
                .toCompletableFuture().join()).isInstanceOf(Admission.Admitted.class);
        refusedForConcurrency();

        TestClock.CLOCK.advanceNanos(ConcurrencyPolicy.LEASE_NANOS);
        refusedForConcurrency();
        TestClock.CLOCK.advanceNanos(ConcurrencyPolicy.LEASE_NANOS);
        chat().statusCode(200);
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
    void aStreamHoldsItsSlotUntilItEnds() throws Exception {
        List<String> chunks = TestUpstream.streamChunks();
        CompletableFuture<Void> rest = new CompletableFuture<>();
        upstream.enqueue(Reply.gatedStream(chunks.get(0), rest, chunks.subList(1, chunks.size()).toArray(String[]::new)));
        try (InputStream body = openStream()) {
            CompletableFuture.supplyAsync(() -> StreamingTest.readExactly(body, 10)).get(10, TimeUnit.SECONDS);
            refusedForConcurrency();

            rest.complete(null);
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("[DONE]");
        } finally {
            rest.complete(null);
        }
        // the slot is given back as the stream ends, on Sluice's side of the last byte
        // (a refusal for concurrency charges nothing, so trying again costs no requests bucket)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> chat().statusCode(200));
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
    void aCallerWhoHangsUpGivesItsSlotBack() throws Exception {
        CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
        upstream.enqueue(Reply.endlessStream(upstreamClosed));
        InputStream body = openStream();
        CompletableFuture.supplyAsync(() -> StreamingTest.readExactly(body, 10)).get(10, TimeUnit.SECONDS);
        refusedForConcurrency();

        body.close(); // the caller goes away mid-stream
        upstreamClosed.get(10, TimeUnit.SECONDS);
        // within the same lease period: the slot came back because the request ended, not because it lapsed
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> chat().statusCode(200));
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.NO_SOCKET)
    void aCallerWhoHangsUpBeforeTheReplyGivesItsSlotBack() throws Exception {
        CompletableFuture<Void> letGo = new CompletableFuture<>();
        upstream.enqueue(Reply.after(letGo, Reply.completion()));
        byte[] body = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(StandardCharsets.UTF_8);
        try (Socket caller = new Socket("127.0.0.1", chatCompletions.getPort())) {
            caller.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + DAVE
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            caller.getOutputStream().write(body);
            caller.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requests().size() == 1);
            refusedForConcurrency();
        } // the caller hangs up while its request waits on the upstream
        try {
            // the slot came back with the hang-up, not with the upstream's answer, which has not come (nor its timeout)
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> chat().statusCode(200));
        } finally {
            letGo.complete(null);
        }
    }

    private InputStream openStream() throws Exception {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(chatCompletions)
                        .header("Authorization", "Bearer " + DAVE)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
