package dev.sluice.upstream;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Whom an upstream's 429 concerns, from OpenAI's own words and headers. */
class ThrottleTest {

    /** Quoted in enricoros/big-AGI#636. */
    private static final String TOO_LARGE = "Request too large for gpt-4o in organization org-Bnfdy1zwXXXXX on tokens per min (TPM): "
            + "Limit 30000, Requested 35064. The input or output tokens must be reduced in order to run successfully.";
    private static final String TPM_REACHED = "Rate limit reached for gpt-4o in organization org-xxx on tokens per min (TPM): "
            + "Limit 30000, Used 28943, Requested 4096. Please try again in 2.1s.";

    private static Buffer error(String message) {
        return Buffer.buffer("{\"error\":{\"message\":\"" + message + "\",\"type\":\"tokens\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}");
    }

    private static Map<String, List<String>> headers(String... namesAndValues) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
        }
        return headers;
    }

    @Test
    void aRequestLargerThanTheLimitItselfIsTooLargeWhateverTheHeadersSay() {
        assertThat(Throttle.of(headers("x-ratelimit-remaining-tokens", "0"), error(TOO_LARGE), 40_000))
                .isEqualTo(new Throttle.RequestTooLarge());
        assertThat(new Throttle.RequestTooLarge().advisedMillis()).isZero();
        // worded otherwise, the numbers still tell
        assertThat(Throttle.tooLarge("This request is over the limit: Limit 100, Requested 101.")).isTrue();
        assertThat(Throttle.tooLarge("Limit 100, Requested 100.")).isFalse();
    }

    @Test
    void aKeyWithCapacityLeftIsShortForThisRequestOnly() {
        assertThat(Throttle.of(headers("x-ratelimit-remaining-requests", "499", "x-ratelimit-remaining-tokens", "1057"),
                error(TPM_REACHED), 2100)).isEqualTo(new Throttle.ShortOfCapacity(2100));
        assertThat(Throttle.of(headers("x-ratelimit-remaining-tokens", "1057"), error(TPM_REACHED), 2100))
                .isEqualTo(new Throttle.ShortOfCapacity(2100));
    }

    @Test
    void aKeyWithALimitAtZeroOrNoWordOnItIsExhausted() {
        assertThat(Throttle.of(headers("x-ratelimit-remaining-requests", "499", "x-ratelimit-remaining-tokens", "0"),
                error(TPM_REACHED), 2100)).isEqualTo(new Throttle.Exhausted(2100));
        assertThat(Throttle.of(headers(), Buffer.buffer("not json"), 0)).isEqualTo(new Throttle.Exhausted(0));
        assertThat(Throttle.of(headers(), Buffer.buffer(), 0)).isEqualTo(new Throttle.Exhausted(0));
        assertThat(Throttle.of(headers(), Buffer.buffer("{\"error\":{\"message\":42}}"), 0)).isEqualTo(new Throttle.Exhausted(0));
    }

    @Test
    void theFleetsPauseIsAsAdvisedASecondWithoutAdviceAndNeverBeyondTheCap() {
        assertThat(new Throttle.Exhausted(2100).pauseMillis(30_000)).isEqualTo(2100);
        assertThat(new Throttle.Exhausted(0).pauseMillis(30_000)).isEqualTo(Throttle.Exhausted.DEFAULT_PAUSE_MILLIS);
        assertThat(new Throttle.Exhausted(3_600_000).pauseMillis(30_000)).isEqualTo(30_000);
    }
}
