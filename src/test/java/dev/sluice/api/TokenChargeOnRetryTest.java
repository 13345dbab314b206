package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.sluice.api.TokenLimitTest.chat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under request accounting every attempt that reaches the upstream is one more request it counts:
 * an upstream key of 1000 tokens a minute, each chat charged 402 on arrival ("user" + "hi" = 2, +
 * max_tokens 400). A retry after an error reply, a 429 included, is charged again, since the upstream
 * kept the first charge ("unsuccessful requests contribute to your per-minute limit").
 */
@QuarkusTest
@TestProfile(TokenChargeOnRetryTest.Retries.class)
class TokenChargeOnRetryTest {

    public static class Retries implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.tpm", "1000",
                    "sluice.upstream.token-burst", "1000",
                    "sluice.caller.burst", "100",
                    "sluice.retry.max-attempts", "2",
                    "sluice.retry.base-delay", "1ms",
                    "sluice.retry.max-delay", "2ms");
        }
    }

    private static final String BODY = TokenLimitTest.body(400, false);

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    void aRetryAfterAnErrorReplyIsChargedAgain() {
        upstream.enqueue(Reply.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", Map.of()));
        chat("sk-retried", BODY).statusCode(200);

        // two arrivals of 402: 196 left, so 2 + 194 fits and 2 + 195 would not
        chat("sk-retried", TokenLimitTest.body(195, false)).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-tokens");
        chat("sk-retried", TokenLimitTest.body(194, false)).statusCode(200);
        assertThat(upstream.requests()).hasSize(3);
    }

    @Test
    void aRetryAfterTheUpstreams429IsChargedAgainToo() {
        upstream.enqueue(Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"tokens\"}}",
                Map.of("retry-after-ms", "1")));
        chat("sk-again", BODY).statusCode(200);
        TestClock.CLOCK.advanceSeconds(1); // past the pause the 429 asked for: 16 more tokens

        // two charges of 402 held: 212 left
        chat("sk-again", TokenLimitTest.body(211, false)).statusCode(429);
        chat("sk-again", TokenLimitTest.body(210, false)).statusCode(200);
        assertThat(upstream.requests()).hasSize(3);
    }
}
