package dev.sluice.api;

import dev.sluice.upstream.SecondUpstreamResource;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Two upstreams with their own request limits: a holds 1 request and refills 1 a minute, b holds 1
 * and refills 2 a minute. Each admission goes where capacity is left, and when none is, the caller
 * is told the earliest moment any upstream has some.
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
                    Map.entry("sluice.upstreams.b.url", "${test.second-upstream.url}"),
                    Map.entry("sluice.upstreams.b.api-key", "sk-b"),
                    Map.entry("sluice.upstreams.b.rpm", "2"),
                    Map.entry("sluice.upstreams.b.burst", "1"),
                    Map.entry("sluice.caller.rate", "1000/s"),
                    Map.entry("sluice.caller.burst", "1000"));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecondUpstreamResource.class));
        }
    }

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
}
