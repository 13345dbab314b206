package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The buckets, judged with a frozen clock that the tests move by hand. */
class RateLimitTest {

    private final TestNanoClock clock = new TestNanoClock();
    private OpenAiSimulator simulator;
    private SimulatorClient client;

    private void start(String... args) {
        simulator = OpenAiSimulator.start(SimulatorConfig.defaults().withNanoTime(clock).withArgs(args));
        client = new SimulatorClient(simulator);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    /**
     * A chat whose token cost on arrival is exactly {@code cost}: "user" and "Say hello" are 13
     * characters, 4 tokens by the rate limiter's rule of four (9 prompt tokens by the tokenizer).
     */
    private HttpResponse<String> chatCosting(long cost) {
        return client.chat("{\"model\":\"gpt-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],"
                + "\"max_tokens\":" + (cost - 4) + "}");
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void rpmAdmitsTheCapacityThenRefusesUntilTheAdvisedTimeHasPassed() {
        start("--rpm=120"); // 2/s, capacity 2

        HttpResponse<String> first = client.chat(SimulatorClient.SMALL_CHAT);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "x-ratelimit-remaining-requests")).isEqualTo("1");
        assertThat(header(first, "x-ratelimit-reset-requests")).isEqualTo("500ms");
        HttpResponse<String> second = client.chat(SimulatorClient.SMALL_CHAT);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(header(second, "x-ratelimit-reset-requests")).isEqualTo("1s");

        HttpResponse<String> refused = client.chat(SimulatorClient.SMALL_CHAT);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(header(refused, "retry-after-ms")).isEqualTo("500");
        assertThat(header(refused, "retry-after")).isEqualTo("1");
        JsonNode error = SimulatorClient.json(refused.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("requests");
        assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("message").asText()).isEqualTo("Rate limit reached for requests per min (RPM): Limit 120,"
                + " Remaining 0, Requested 1. Please try again in 500ms.");

        clock.advanceMillis(499); // t=499 ms: one millisecond short
        assertThat(header(client.chat(SimulatorClient.SMALL_CHAT), "retry-after-ms")).isEqualTo("1");
        clock.advanceMillis(1); // t=500 ms: exactly the advised wait
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200);
    }

    @Test
    void tpmRefusesALargeRequestAndChargesNothingForIt() {
        start("--tpm=6000", "--tpm-bucket-seconds=1"); // 100 tokens/s, capacity 100

        HttpResponse<String> first = chatCosting(50);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "x-ratelimit-remaining-tokens")).isEqualTo("50");
        assertThat(header(first, "x-ratelimit-reset-tokens")).isEqualTo("500ms");

        HttpResponse<String> refused = chatCosting(60);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(SimulatorClient.json(refused.body()).at("/error/type").asText()).isEqualTo("tokens");
        assertThat(SimulatorClient.json(refused.body()).at("/error/message").asText())
                .contains("tokens per min (TPM): Limit 6000, Remaining 50, Requested 60. Please try again in 100ms.");
        assertThat(header(refused, "retry-after-ms")).isEqualTo("100");
        assertThat(header(refused, "x-ratelimit-remaining-tokens")).isEqualTo("50"); // nothing taken

        assertThat(chatCosting(50).statusCode()).isEqualTo(200); // the 50 left are all still there
        assertThat(client.stats().at("/keys/sk-sim-1/tokens_charged").asLong()).isEqualTo(100);
    }

    @Test
    void aRefusalByOneBucketTakesNothingFromTheOther() {
        start("--rpm=120", "--tpm=6000", "--tpm-bucket-seconds=1");

        assertThat(chatCosting(90).statusCode()).isEqualTo(200); // requests 1 left, tokens 10 left
        HttpResponse<String> refused = chatCosting(50);

        assertThat(SimulatorClient.json(refused.body()).at("/error/type").asText()).isEqualTo("tokens");
        assertThat(header(refused, "x-ratelimit-remaining-requests")).isEqualTo("1");
        assertThat(header(refused, "retry-after-ms")).isEqualTo("400");
    }

    @Test
    void aRequestAboveTheBurstButWithinTheMinutePassesOnAFullBucketAndLeavesADebt() {
        start("--tpm=6000", "--tpm-bucket-seconds=1");

        assertThat(chatCosting(150).statusCode()).isEqualTo(200); // bucket full (100): passes, 50 in debt
        HttpResponse<String> next = chatCosting(10);

        assertThat(next.statusCode()).isEqualTo(429);
        assertThat(header(next, "retry-after-ms")).isEqualTo("600"); // 50 debt + 10 at 100/s
        assertThat(header(next, "x-ratelimit-remaining-tokens")).isEqualTo("0");
        assertThat(header(next, "x-ratelimit-reset-tokens")).isEqualTo("1.5s");
    }

    @Test
    void byDefaultOneRequestMayTakeTheWholeMinuteAndNothingComesBackWhenTheAnswerIsShorter() {
        start("--tpm=6000", "--completion-tokens=10"); // a bucket of one minute's worth

        assertThat(chatCosting(6000).statusCode()).isEqualTo(200); // answered with 10 of 5,996 max tokens
        HttpResponse<String> next = chatCosting(100);

        assertThat(next.statusCode()).isEqualTo(429); // nothing was given back
        assertThat(header(next, "x-ratelimit-remaining-tokens")).isEqualTo("0");
        assertThat(header(next, "retry-after-ms")).isEqualTo("1000"); // 100 tokens at 100/s
        assertThat(client.stats().at("/keys/sk-sim-1/tokens_charged").asLong()).isEqualTo(6000);
    }

    @Test
    void usageAccountingGivesBackWhatTheAnswerDidNotUse() {
        start("--tpm=6000", "--completion-tokens=10", "--token-accounting=usage");

        HttpResponse<String> first = chatCosting(1004); // 4 by characters + max_tokens 1000
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "x-ratelimit-remaining-tokens")).isEqualTo("4996"); // charged on arrival
        HttpResponse<String> second = chatCosting(104);

        // settled to what the first used when it was answered: 9 prompt tokens + 10 completion tokens
        assertThat(header(second, "x-ratelimit-remaining-tokens")).isEqualTo(String.valueOf(6000 - 19 - 104));
        assertThat(client.stats().at("/keys/sk-sim-1/tokens_charged").asLong()).isEqualTo(19 + 19);
        assertThat(client.stats().at("/limits/token_accounting").asText()).isEqualTo("usage");
    }

    @Test
    void aRequestAboveThePerMinuteLimitIsTooLargeWithNoRetryAdvice() {
        start("--tpm=6000");

        HttpResponse<String> refused = chatCosting(6001);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(SimulatorClient.json(refused.body()).at("/error/message").asText())
                .startsWith("Request too large for tokens per min (TPM): Limit 6000, Requested 6001.");
        assertThat(header(refused, "retry-after")).isNull();
        assertThat(client.stats().at("/keys/sk-sim-1/tokens_charged").asLong()).isZero();
    }

    @Test
    void everyAuthenticatedReplyCarriesTheHeadersOfEachLimitThatIsSet() {
        start("--rpm=60000", "--tpm=600000", "--tpm-bucket-seconds=1"); // 1000 req/s (capacity 1000), 10,000 tokens/s

        HttpResponse<String> ok = chatCosting(25);

        assertThat(ok.headers().map()).containsKeys("x-ratelimit-limit-requests", "x-ratelimit-limit-tokens",
                "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests",
                "x-ratelimit-reset-tokens", "x-request-id", "openai-processing-ms");
        assertThat(header(ok, "x-ratelimit-limit-requests")).isEqualTo("60000");
        assertThat(header(ok, "x-ratelimit-limit-tokens")).isEqualTo("600000");
        assertThat(header(ok, "x-ratelimit-remaining-requests")).isEqualTo("999");
        assertThat(header(ok, "x-ratelimit-remaining-tokens")).isEqualTo("9975");
        assertThat(header(ok, "x-ratelimit-reset-requests")).isEqualTo("1ms");
        assertThat(header(ok, "x-ratelimit-reset-tokens")).isEqualTo("3ms"); // 25 tokens at 10/ms: 2.5 → 3
    }

    @Test
    void anUnlimitedLimitSendsNoHeaders() {
        start("--tpm=6000");

        HttpResponse<String> ok = client.chat(SimulatorClient.SMALL_CHAT);

        assertThat(ok.headers().map()).containsKey("x-ratelimit-limit-tokens")
                .doesNotContainKeys("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests");
    }

    @Test
    void callsThatIgnoreARetryAfterAreCounted() {
        start("--rpm=60"); // 1/s, capacity 1
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200);
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(429); // come back in 1 s

        clock.advanceMillis(400);
        client.chat(SimulatorClient.SMALL_CHAT); // too early
        clock.advanceMillis(700);
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200); // after it: fine

        assertThat(client.stats().at("/keys/sk-sim-1/calls_before_retry_after").asLong()).isEqualTo(1);
    }
}
