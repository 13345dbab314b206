package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A daily request quota of 3 per caller (UTC), and a per-client-IP limit of 4 requests in a burst,
 * with 127.0.0.1 (the tests' own connections) as a trusted proxy so X-Forwarded-For is believed.
 */
@QuarkusTest
@TestProfile(QuotaAndClientIpTest.Quotas.class)
class QuotaAndClientIpTest {

    public static class Quotas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.caller.daily-requests", "3",
                    "sluice.caller.burst", "100",
                    "sluice.client-ip.rate", "4/h",
                    "sluice.client-ip.trusted-proxies", "127.0.0.1,::1");
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything(); // also a new day: every daily quota starts again
    }

    private static RequestSpecification caller(String token, String forwardedFor) {
        return given().header("Authorization", "Bearer " + token).header("X-Forwarded-For", forwardedFor)
                .contentType(ContentType.JSON).body(CallerLimitTest.BODY);
    }

    private static ValidatableResponse chat(String token, String forwardedFor) {
        return caller(token, forwardedFor).when().post("/v1/chat/completions").then();
    }

    @Test
    void anExhaustedDailyQuotaIsInsufficientQuotaUntilMidnight() {
        for (int i = 0; i < 3; i++) {
            chat("sk-quota", "198.51.100." + i).statusCode(200);
        }

        long now = TestClock.CLOCK.nowNanos();
        Instant midnight = Instant.ofEpochSecond(now / 1_000_000_000L).atZone(ZoneOffset.UTC).toLocalDate()
                .plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        long secondsToMidnight = TimeUnit.NANOSECONDS.toSeconds(midnight.getEpochSecond() * 1_000_000_000L - now
                + 999_999_999);
        chat("sk-quota", "198.51.100.9").statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "caller-daily-requests")
                .header("retry-after", Long.toString(secondsToMidnight))
                .header("x-ratelimit-limit-requests", "3")
                .header("x-ratelimit-remaining-requests", "0")
                .body("error.type", equalTo("insufficient_quota"))
                .body("error.code", equalTo("insufficient_quota"))
                .body("error.message", containsString("daily request quota"))
                .body("error.message", containsString("resets at " + midnight));
        assertThat(upstream.requests()).hasSize(3);

        chat("sk-other-caller", "198.51.100.10").statusCode(200); // quotas are per caller
    }

    @Test
    void theNextDayHasANewQuota() {
        for (int i = 0; i < 3; i++) {
            chat("sk-daily", "198.51.100." + i).statusCode(200);
        }
        chat("sk-daily", "198.51.100.9").statusCode(429);

        TestClock.CLOCK.advanceSeconds(24 * 3600);

        chat("sk-daily", "198.51.100.9").statusCode(200);
    }

    @Test
    void aClientAddressBehindTrustedProxiesHasItsOwnLimitAcrossCallers() {
        for (int i = 0; i < 4; i++) {
            chat("sk-ip-" + i, "6.6.6.6, 203.0.113.5").statusCode(200);
        }

        chat("sk-ip-9", "7.7.7.7, 203.0.113.5").statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "client-ip")
                .header("x-ratelimit-limit-requests", "4")
                .body("error.type", equalTo("requests"))
                .body("error.message", containsString("client IP limit"));
        // what the client wrote itself (left of the last untrusted hop) does not matter; the hop does
        chat("sk-ip-9", "7.7.7.7, 203.0.113.6").statusCode(200);
    }

    @Test
    void aRefusalByOneScopeChargesNoOther() {
        for (int i = 0; i < 4; i++) {
            chat("sk-all-or-nothing", "203.0.113.20").statusCode(i < 3 ? 200 : 429);
        }
        // the quota refused the 4th request: the client IP's 4th token is still there
        chat("sk-someone-else", "203.0.113.20").statusCode(200);
        chat("sk-someone-else", "203.0.113.20").statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "client-ip");
    }
}
