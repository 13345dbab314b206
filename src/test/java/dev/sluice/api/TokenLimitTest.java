package dev.sluice.api;

import dev.sluice.keys.CallerKeys;
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

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * An upstream key of 1000 tokens a minute, counted as OpenAI counts it (the default, request
 * accounting), and a daily quota of 3000 tokens per caller. The upstream's bucket is charged the
 * provider's estimate on arrival (the prompt's characters / 4 + max_tokens) and keeps it; the caller's
 * quota reserves the tokenizer's estimate and is settled by the usage the upstream reports: the test
 * upstream's completion uses 12 tokens (9 prompt + 3 completion). {@link UsageTokenAccountingTest}
 * has the same upstream counting usage.
 */
@QuarkusTest
@TestProfile(TokenLimitTest.Tokens.class)
class TokenLimitTest {

    public static class Tokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.tpm", "1000",
                    "sluice.upstream.token-burst", "1000",
                    "sluice.caller.daily-tokens", "3000",
                    "sluice.caller.burst", "100",
                    "sluice.default-max-tokens", "100",
                    "sluice.retry.max-attempts", "1"); // refunds are the subject here, not retries
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @Inject
    RateLimiter limiter;

    @Inject
    UsageCounters usage;

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    /** A chat of "hi" (2 tokens on arrival, 9 by the tokenizer) asking for {@code maxTokens}. */
    static String body(long maxTokens, boolean stream) {
        return "{\"model\":\"gpt-4o\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    static ValidatableResponse chat(String token, String body) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/chat/completions").then();
    }

    @Test
    void theUpstreamKeepsWhatItChargedOnArrivalHoweverShortTheAnswer() {
        // "user" + "hi": 6 characters, 2 tokens; + max_tokens 890 = 892 on arrival, kept though 12 were used
        chat("sk-keep", body(890, false)).statusCode(200);

        chat("sk-keep", body(890, false)).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-tokens")
                .header("x-ratelimit-limit-tokens", "1000")
                .header("x-ratelimit-remaining-tokens", "108")
                .body("error.type", equalTo("tokens"))
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("upstream key limit"));
        chat("sk-keep", body(106, false)).statusCode(200); // 108 left: 2 + 106 fits
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void aCallTheUpstreamAnsweredWithAnErrorStaysCharged() {
        // OpenAI: "unsuccessful requests contribute to your per-minute limit": 502 stay charged, a 429 or a 500
        upstream.enqueue(Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"tokens\"}}",
                Map.of("retry-after-ms", "1")));
        chat("sk-kept", body(500, false)).statusCode(429);
        TestClock.CLOCK.advanceSeconds(1); // past the pause that 429 asked for (17 tokens refill meanwhile)
        upstream.enqueue(Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}", Map.of()));
        chat("sk-kept", body(400, false)).statusCode(500);

        // 1000 - 502 - 402 + 17 = 113 left
        chat("sk-kept", body(112, false)).statusCode(429).header(RateLimitedException.SCOPE_HEADER, "upstream-tokens");
        chat("sk-kept", body(110, false)).statusCode(200);
        assertThat(upstream.requests()).hasSize(3);
    }

    @Test
    void aRequestLargerThanTheBucketIsRefusedForGoodWithoutRetryAfter() {
        chat("sk-huge", body(5000, false)).statusCode(429)
                .header("retry-after", nullValue())
                .header(RateLimitedException.SCOPE_HEADER, "upstream-tokens")
                .body("error.message", containsString("Request too large"))
                .body("error.message", containsString("Limit 1000"));
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aStreamAsksForItsUsageAndTheCallerDoesNotSeeTheExtraChunk() {
        String usageChunk = "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n";
        List<String> chunks = new java.util.ArrayList<>(TestUpstream.streamChunks());
        chunks.add(chunks.size() - 1, usageChunk);
        upstream.enqueue(Reply.stream(0, chunks.toArray(String[]::new)));

        String relayed = chat("sk-stream", body(950, true)).statusCode(200).extract().asString();

        assertThat(upstream.requests().get(0).bodyText())
                .endsWith(",\"stream_options\":{\"include_usage\":true}}");
        assertThat(relayed).isEqualTo(String.join("", TestUpstream.streamChunks()));
    }

    @Test
    void theDailyTokenQuotaCountsRealUsage() throws Exception {
        for (int i = 0; i < 3; i++) {
            TestClock.CLOCK.advanceSeconds(60); // a full token bucket each time
            chat("sk-daily-tokens", body(980, false)).statusCode(200);
        }
        // 36 used of 3000, but a ~990 reservation still fits the day; 4 of them would not fit without settling
        TestClock.CLOCK.advanceSeconds(60);
        chat("sk-daily-tokens", body(980, false)).statusCode(200);

        usage.flush().get(10, TimeUnit.SECONDS);
        String caller = CallerKeys.hash("sk-daily-tokens"); // any token is a caller in these tests: its id is its hash
        String day = usage.today();
        List<String> keys = List.of(UsageCounters.key("caller:" + caller, day, "requests"),
                UsageCounters.key("caller:" + caller, day, "prompt_tokens"),
                UsageCounters.key("caller:" + caller, day, "completion_tokens"));
        assertThat(limiter.store().counters(keys).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .containsEntry(keys.get(0), 4L)
                .containsEntry(keys.get(1), 36L)
                .containsEntry(keys.get(2), 12L);
    }

    @Test
    void anExhaustedDailyTokenQuotaIsInsufficientQuota() {
        // replies that use 900 tokens each
        String heavy = TestUpstream.COMPLETION.replace("\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12",
                "\"prompt_tokens\":100,\"completion_tokens\":800,\"total_tokens\":900");
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(Reply.json(200, heavy, Map.of()));
            TestClock.CLOCK.advanceSeconds(60);
            chat("sk-heavy", body(890, false)).statusCode(200);
        }
        TestClock.CLOCK.advanceSeconds(60);

        chat("sk-heavy", body(890, false)).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "caller-daily-tokens")
                .header("x-ratelimit-limit-tokens", "3000")
                .header("x-ratelimit-remaining-tokens", "300")
                .body("error.code", equalTo("insufficient_quota"))
                .body("error.message", containsString("daily token quota"));
    }
}
