package dev.sluice.api;

import dev.sluice.admission.Lease;
import dev.sluice.admission.Ticket;
import dev.sluice.config.SluiceSettings;
import dev.sluice.keys.CallerKeys;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.RateLimiter;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.upstream.SecondUpstreamResource;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import dev.sluice.upstream.Upstream;
import dev.sluice.upstream.UpstreamPool;
import dev.sluice.usage.AttemptCost;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Two upstreams with their own request limits: a holds 1 request and refills 1 a minute, b holds 1
 * and refills 2 a minute; each has 1000 tokens a minute. Each admission goes where capacity is left,
 * and when none is, the caller is told the earliest moment any upstream has some.
 */
@QuarkusTest
@TestProfile(UpstreamPoolLimitsTest.Limits.class)
class UpstreamPoolLimitsTest {

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("sluice.upstreams.a.url", "${sluice.upstream.url}"),
                    Map.entry("sluice.upstreams.a.api-key", "sk-a"),
                    Map.entry("sluice.upstreams.a.rpm", "1"),
                    Map.entry("sluice.upstreams.a.tpm", "1000"),
                    Map.entry("sluice.upstreams.a.token-burst", "1000"),
                    Map.entry("sluice.upstreams.b.url", "${test.second-upstream.url}"),
                    Map.entry("sluice.upstreams.b.api-key", "sk-b"),
                    Map.entry("sluice.upstreams.b.rpm", "2"),
                    Map.entry("sluice.upstreams.b.burst", "1"),
                    Map.entry("sluice.upstreams.b.tpm", "1000"),
                    Map.entry("sluice.upstreams.b.token-burst", "1000"),
                    Map.entry("sluice.default-max-tokens", "100"),
                    Map.entry("sluice.caller.rate", "1000/s"),
                    Map.entry("sluice.caller.burst", "1000"));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecondUpstreamResource.class));
        }
    }

    @Inject
    AdmissionGate gate;
    @Inject
    SluiceSettings settings;

    @Inject
    UpstreamPool pool;

    @Inject
    RateLimiter limiter;

    TestUpstream first = TestUpstreamResource.upstream();
    TestUpstream second = SecondUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        first.reset();
        second.reset();
        TestClock.refillEverything();
    }

    private static ValidatableResponse chat(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(CallerLimitTest.BODY)
                .when().post("/v1/chat/completions").then();
    }

    @Test
    void eachUpstreamsCapacityIsUsedBeforeAnyCallerIsRefused() {
        chat("sk-one").statusCode(200);
        chat("sk-two").statusCode(200);

        // whichever went first, its bucket was empty after it: the second request went to the other
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(1);
    }

    @Test
    void whenEveryUpstreamIsExhaustedTheRetryAfterIsTheEarliestOfThem() {
        chat("sk-one").statusCode(200);
        chat("sk-two").statusCode(200);

        // a refills in 60 s, b in 30 s: one 429 that says 30
        chat("sk-three").statusCode(429)
                .header("retry-after", "30")
                .header(RateLimitedException.SCOPE_HEADER, "upstream-requests")
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("upstream key"));
        assertThat(first.requests().size() + second.requests().size()).isEqualTo(2);

        TestClock.CLOCK.advanceSeconds(30);
        chat("sk-three").statusCode(200);
        assertThat(second.requests()).hasSize(2);
    }

    /** The first attempt admitted on a alone, then made a candidate of both, as a retry sees it. */
    private Ticket admittedOnA(String token) {
        Upstream a = pool.all().get(0);
        CallerIdentity caller = new CallerIdentity(token, CallerKeys.hash(token), settings.defaultPlan());
        // 600 tokens on arrival: a prompt of 2,400 characters and nothing to generate
        Ticket onA = gate.admit(caller, "127.0.0.1", new TokenEstimate(500, 600, 0, 1), "gpt-test", List.of(a))
                .await().indefinitely();
        assertThat(onA.lease().upstream()).isSameAs(a);
        return new Ticket(onA.waitedNanos(), onA.callerId(), onA.plan(),
                onA.lease(), List.of(a, pool.all().get(1)), onA.slot());
    }

    private boolean fits(String key, BucketCharge like, long tokens) {
        return limiter.tryAcquire(List.of(new BucketCharge(key, like.policy(), tokens))).toCompletableFuture().join()
                instanceof Admission.Admitted;
    }

    @Test
    void aRetryThatMovesToAnotherUpstreamAfterAnAttemptThatNeverReachedItMovesItsTokenReservationToo() {
        Ticket either = admittedOnA("sk-mover");

        // a could not be connected to: the retry goes to b, and takes its tokens there
        Lease onB = gate.admitRetry(either, either.lease(), Set.of("a"), AttemptCost.NOT_SENT, "gpt-test", 0)
                .await().indefinitely();

        assertThat(onB.upstream()).isSameAs(pool.all().get(1));
        assertThat(onB.tokenCharge().orElseThrow().key()).isEqualTo("upstream:b:tokens");
        assertThat(onB.tokenCharge().orElseThrow().tokens()).isEqualTo(600);
        // a has its 600 tokens back, b holds 400: asked of the buckets themselves, at the same instant
        BucketCharge charged = onB.tokenCharge().orElseThrow();
        assertThat(fits("upstream:a:tokens", charged, 1000)).isTrue();
        assertThat(fits("upstream:b:tokens", charged, 1000)).isFalse();
        assertThat(fits("upstream:b:tokens", charged, 400)).isTrue();
    }

    @Test
    void anAttemptAnUpstreamAnsweredWithAnErrorStaysChargedThereAsTheProviderCountsIt() {
        Ticket either = admittedOnA("sk-failed-over");

        // a answered 429 or 500: OpenAI counts unsuccessful requests too, so a keeps its 600 and b takes 600
        Lease onB = gate.admitRetry(either, either.lease(), Set.of("a"), AttemptCost.FAILED, "gpt-test", 0)
                .await().indefinitely();

        BucketCharge charged = onB.tokenCharge().orElseThrow();
        assertThat(fits("upstream:a:tokens", charged, 401)).isFalse();
        assertThat(fits("upstream:a:tokens", charged, 400)).isTrue();
        assertThat(fits("upstream:b:tokens", charged, 400)).isTrue();
    }
}
