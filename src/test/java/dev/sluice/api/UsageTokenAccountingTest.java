package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.sluice.api.TokenLimitTest.body;
import static dev.sluice.api.TokenLimitTest.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@link TokenLimitTest}'s upstream key of 1000 tokens a minute, for an upstream that counts what a
 * request really used ({@code SLUICE_UPSTREAM_TOKEN_ACCOUNTING=usage}): the reservation (the prompt
 * counted with the tokenizer + max_tokens) is settled by the usage the upstream reports, 12 tokens for
 * the test upstream's completion, and an error reply is given back whole.
 */
@QuarkusTest
@TestProfile(UsageTokenAccountingTest.Usage.class)
class UsageTokenAccountingTest {

    public static class Usage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(new TokenLimitTest.Tokens().getConfigOverrides());
            overrides.put("sluice.upstream.token-accounting", "usage");
            return overrides;
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    void aReservationIsSettledByTheRealUsage() {
        // each reserves ~900; without the refund to 12 used, the second could not pass
        chat("sk-settle", body(890, false)).statusCode(200);
        chat("sk-settle", body(890, false)).statusCode(200);
        chat("sk-settle", body(890, false)).statusCode(200);

        // 36 used of 1000: a reservation of ~980 no longer fits
        chat("sk-settle", body(975, false)).statusCode(429)
                .header(RateLimitedException.SCOPE_HEADER, "upstream-tokens")
                .header("x-ratelimit-limit-tokens", "1000")
                .header("x-ratelimit-remaining-tokens", "964")
                .body("error.code", equalTo("rate_limit_exceeded"));
        assertThat(upstream.requests()).hasSize(3);
    }

    @Test
    void aCallTheUpstreamAnsweredWithAnErrorIsGivenBackWhole() {
        upstream.enqueue(Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}", Map.of()));
        chat("sk-refund", body(980, false)).statusCode(500);

        chat("sk-refund", body(980, false)).statusCode(200);
    }

    @Test
    void aStreamIsSettledByItsUsageChunk() {
        String usageChunk = "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n";
        List<String> chunks = new java.util.ArrayList<>(TestUpstream.streamChunks());
        chunks.add(chunks.size() - 1, usageChunk);
        upstream.enqueue(Reply.stream(0, chunks.toArray(String[]::new)));

        chat("sk-stream", body(950, true)).statusCode(200).extract().asString();

        // settled to 12: another ~960 reservation fits
        chat("sk-stream", body(950, false)).statusCode(200);
    }
}
