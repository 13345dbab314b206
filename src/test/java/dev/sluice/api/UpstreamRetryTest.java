package dev.sluice.api;

import dev.sluice.admission.UpstreamLimits;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.CooldownPolicy;
import dev.sluice.limit.RateLimiter;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Retries through the upstream bean: an upstream key of 2 requests in a burst (refilling 2 a minute),
 * callers of 1 request each, short backoffs so the tests stay quick.
 */
@QuarkusTest
@TestProfile(UpstreamRetryTest.Retries.class)
class UpstreamRetryTest {

    public static class Retries implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.api-key", "sk-managed-retries",
                    "sluice.upstream.rpm", "2",
                    "sluice.upstream.burst", "2",
                    "sluice.caller.rate", "1/h",
                    "sluice.caller.burst", "1",
                    "sluice.retry.base-delay", "10ms",
                    "sluice.retry.max-delay", "20ms");
        }
    }

    private static final Reply OVERLOADED = Reply.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", Map.of());

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Inject
    RateLimiter limiter;
    @Inject
    SluiceSettings settings;

    /** Whether the shared store holds a pause of the upstream for gpt-test: its 429 has come back and been stored. */
    private boolean gptTestIsPaused() throws Exception {
        return gptTestPauseLeftSeconds() > 0;
    }

    /** What is left of the stored pause of the upstream for gpt-test, in whole seconds rounded up; 0 when none. */
    private long gptTestPauseLeftSeconds() throws Exception {
        String pause = new UpstreamLimits(settings.upstreams().get(0)).cooldownKey("gpt-test");
        Admission probe = limiter.tryAcquire(List.of(new BucketCharge(pause, CooldownPolicy.INSTANCE, 1)), 0)
                .toCompletableFuture().get(5, TimeUnit.SECONDS); // charging a pause takes nothing
        return probe instanceof Admission.Refused refused ? (refused.retryAfterNanos() + 999_999_999) / 1_000_000_000 : 0;
    }

    /** OpenAI's words for a request larger than the key's TPM (enricoros/big-AGI#636): never fits, whatever the wait. */
    static final String TOO_LARGE = "{\"error\":{\"message\":\"Request too large for gpt-test in organization org-x on tokens "
            + "per min (TPM): Limit 30000, Requested 35064. The input or output tokens must be reduced in order to run "
            + "successfully.\",\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
    /** A key over its TPM: the limit is used up until it refills. */
    static final String TPM_REACHED = "{\"error\":{\"message\":\"Rate limit reached for gpt-test in organization org-x on tokens "
            + "per min (TPM): Limit 30000, Used 28943, Requested 4096. Please try again in 2.1s.\",\"type\":\"tokens\","
            + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}";

    private static ValidatableResponse chat(String token, String body) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/chat/completions").then();
    }

    @Test
    void aTransientFailureIsRetriedAndChargesTheUpstreamKeyNotTheCaller() {
        upstream.enqueue(OVERLOADED);

        // the caller's bucket holds one request: the retry does not need a second
        chat("sk-retry-1", CallerLimitTest.BODY).statusCode(200);

        assertThat(upstream.requests()).hasSize(2);
        // the upstream key's two requests went to the two attempts
        chat("sk-retry-2", CallerLimitTest.BODY).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-requests");
    }

    @Test
    void theUpstreamsRetryAfterIsWaitedOut() {
        upstream.enqueue(Reply.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\"}}",
                Map.of("retry-after-ms", "400")));

        long started = System.nanoTime();
        chat("sk-patient", CallerLimitTest.BODY).statusCode(200);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(400);
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void otherClientErrorsAreNeverRetried() {
        upstream.enqueue(Reply.json(400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}", Map.of()));

        chat("sk-bad", CallerLimitTest.BODY).statusCode(400).body("error.message", equalTo("bad"));

        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void aRetryTheUpstreamKeyCannotAffordEndsWithTheUpstreamsOwnReply() {
        upstream.enqueue(OVERLOADED, OVERLOADED, OVERLOADED);

        // attempt 1 and 2 take the key's two requests; the third would wait ~30 s, beyond the retry time
        chat("sk-unlucky", CallerLimitTest.BODY).statusCode(503).body("error.message", equalTo("overloaded"));

        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void aStreamIsRetriedBeforeItsFirstByte() {
        upstream.enqueue(OVERLOADED, Reply.stream(0, TestUpstream.streamChunks().toArray(String[]::new)));

        String relayed = chat("sk-stream", "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode(200).extract().asString();

        assertThat(relayed).isEqualTo(String.join("", TestUpstream.streamChunks()));
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.ONE_AT_A_TIME)
    void aPauseTheUpstreamAskedForHoldsEveryRequestForThatModel() throws Exception {
        upstream.enqueue(Reply.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\"}}",
                Map.of("retry-after-ms", "1500")));
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(
                () -> chat("sk-paused-1", CallerLimitTest.BODY).extract().statusCode());
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(this::gptTestIsPaused);

        chat("sk-paused-2", CallerLimitTest.BODY).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-cooldown")
                .header("retry-after", "2");
        assertThat(upstream.requests()).as("no call before the upstream's retry-after").hasSize(1);

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(200); // its retry waited the pause out
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void theUpstreamsRemainingRequestsLowerTheSharedBucket() {
        // someone else uses the key too: the upstream says nothing is left
        upstream.enqueue(Reply.json(200, TestUpstream.COMPLETION, Map.of("x-ratelimit-remaining-requests", "0")));
        chat("sk-learn-1", CallerLimitTest.BODY).statusCode(200);

        // Sluice's bucket held one more; it now believes the upstream
        chat("sk-learn-2", CallerLimitTest.BODY).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-requests");
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void anUpstreamLimitBelowTheConfiguredOneReplacesIt() {
        // configured: 2 a minute; the upstream says its key allows 1
        upstream.enqueue(Reply.json(200, TestUpstream.COMPLETION, Map.of("x-ratelimit-limit-requests", "1")));
        chat("sk-lower-1", CallerLimitTest.BODY).statusCode(200);

        chat("sk-lower-2", CallerLimitTest.BODY).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-requests")
                .header("x-ratelimit-limit-requests", "1");

        // the upstream reports 2 again: back to the configured limit, two at once after a full refill
        TestClock.CLOCK.advanceSeconds(60);
        upstream.enqueue(Reply.json(200, TestUpstream.COMPLETION, Map.of("x-ratelimit-limit-requests", "2")));
        chat("sk-lower-3", CallerLimitTest.BODY).statusCode(200);
        TestClock.CLOCK.advanceSeconds(60);
        chat("sk-lower-4", CallerLimitTest.BODY).statusCode(200);
        chat("sk-lower-5", CallerLimitTest.BODY).statusCode(200);
    }

    @Test
    void aRequestTooLargeForTheKeyIsItsCallersOwnErrorAndPausesNobody() throws Exception {
        upstream.enqueue(Reply.json(429, TOO_LARGE, Map.of("retry-after", "40", "x-ratelimit-remaining-tokens", "30000")));

        chat("sk-huge", CallerLimitTest.BODY).statusCode(429)
                .body("error.message", org.hamcrest.Matchers.startsWith("Request too large"));

        assertThat(upstream.requests()).as("no wait makes it fit: not retried").hasSize(1);
        assertThat(gptTestIsPaused()).as("nobody else is paused").isFalse();
        chat("sk-small", CallerLimitTest.BODY).statusCode(200);
    }

    @Test
    void aRequestLargerThanWhatIsLeftWaitsAloneAndPausesNobody() throws Exception {
        // the key has requests and tokens left, only not 4096 tokens: the next small request fits
        upstream.enqueue(Reply.json(429, TPM_REACHED, Map.of("retry-after", "40", "x-ratelimit-remaining-requests", "499",
                "x-ratelimit-remaining-tokens", "1057")));

        // its own wait (40 s) is past the retry time: it hears the upstream's answer at once
        chat("sk-big", CallerLimitTest.BODY).statusCode(429).body("error.message", org.hamcrest.Matchers.startsWith("Rate limit reached"));

        assertThat(gptTestIsPaused()).as("nobody else is paused").isFalse();
        chat("sk-next", CallerLimitTest.BODY).statusCode(200);
    }

    @Test
    void aPauseOfTheWholeFleetIsCappedBySluiceUpstreamMaxCooldown() throws Exception {
        // used up, and asking for an hour: the fleet pauses 30 s at most (the default)
        upstream.enqueue(Reply.json(429, TPM_REACHED, Map.of("retry-after", "3600", "x-ratelimit-remaining-tokens", "0")));

        chat("sk-used-up", CallerLimitTest.BODY).statusCode(429);

        assertThat(gptTestPauseLeftSeconds()).isEqualTo(30);
        chat("sk-after-used-up", CallerLimitTest.BODY).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-cooldown")
                .header("retry-after", "30");
    }

    @Test
    @DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true", disabledReason = LambdaProfile.ONE_AT_A_TIME)
    void aReplySentAfterThePauseBeganWithCapacityLeftLiftsIt() throws Exception {
        CompletableFuture<Void> refuseFirst = new CompletableFuture<>();
        CompletableFuture<Void> serveSecond = new CompletableFuture<>();
        upstream.enqueue(Reply.after(refuseFirst, Reply.json(429, TPM_REACHED, Map.of("retry-after", "30",
                        "x-ratelimit-remaining-tokens", "0"))),
                Reply.after(serveSecond, Reply.json(200, TestUpstream.COMPLETION, Map.of("x-ratelimit-remaining-requests", "5",
                        "x-ratelimit-remaining-tokens", "20000"))));
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> chat("sk-lift-1", CallerLimitTest.BODY).extract().statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requests().size() == 1);
        TestClock.CLOCK.advanceMillis(1); // the second is sent after the first
        CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> chat("sk-lift-2", CallerLimitTest.BODY).extract().statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requests().size() == 2);

        refuseFirst.complete(null);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(429); // its own 30 s wait is past the retry time
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(this::gptTestIsPaused);

        // the second was served after the 429 with capacity to spare: the key was not used up for long
        serveSecond.complete(null);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> !gptTestIsPaused());
    }
}
