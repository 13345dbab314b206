package dev.sluice.upstream;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts of retrying: what the upstream advised, the backoff, the budget. */
class RetryPolicyTest {

    private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final long MS = 1_000_000L;

    @Test
    void theUpstreamsAdviceIsReadInOpenAisOrderOfPrecision() {
        assertThat(RetryAdvice.advisedWaitMillis(Map.of("retry-after-ms", List.of("1234"), "retry-after", List.of("2")), NOW))
                .isEqualTo(OptionalLong.of(1234));
        assertThat(RetryAdvice.advisedWaitMillis(Map.of("Retry-After", List.of("2")), NOW)).isEqualTo(OptionalLong.of(2000));
        assertThat(RetryAdvice.advisedWaitMillis(Map.of("retry-after", List.of("Thu, 01 Jan 2026 00:00:03 GMT")), NOW))
                .isEqualTo(OptionalLong.of(3000));
        // no retry-after: the reset of the limit that is exhausted
        assertThat(RetryAdvice.advisedWaitMillis(Map.of(
                "x-ratelimit-remaining-requests", List.of("0"), "x-ratelimit-reset-requests", List.of("1.5s"),
                "x-ratelimit-remaining-tokens", List.of("900"), "x-ratelimit-reset-tokens", List.of("6m0s")), NOW))
                .isEqualTo(OptionalLong.of(1500));
        assertThat(RetryAdvice.advisedWaitMillis(Map.of(), NOW)).isEmpty();
        assertThat(RetryAdvice.advisedWaitMillis(Map.of("retry-after", List.of("soon")), NOW)).isEmpty();
        assertThat(RetryAdvice.advisedWaitMillis(Map.of("retry-after", List.of("-5")), NOW)).isEqualTo(OptionalLong.of(0));
    }

    @Test
    void goDurationsAsOpenAiWritesThem() {
        assertThat(RetryAdvice.goDurationMillis("6m0s")).isEqualTo(OptionalLong.of(360_000));
        assertThat(RetryAdvice.goDurationMillis("20ms")).isEqualTo(OptionalLong.of(20));
        assertThat(RetryAdvice.goDurationMillis("1h2m3.5s")).isEqualTo(OptionalLong.of(3_723_500));
        assertThat(RetryAdvice.goDurationMillis("1.0001s")).isEqualTo(OptionalLong.of(1001)); // rounded up
        assertThat(RetryAdvice.goDurationMillis("5 minutes")).isEmpty();
        assertThat(RetryAdvice.goDurationMillis("")).isEmpty();
    }

    @Test
    void backoffIsExponentialWithFullJitterAndNeverShorterThanAdvised() {
        Backoff backoff = new Backoff(200, 5000);

        assertThat(backoff.delayMillis(1, 0, () -> 0.999_999)).isEqualTo(200);
        assertThat(backoff.delayMillis(2, 0, () -> 0.999_999)).isEqualTo(400);
        assertThat(backoff.delayMillis(3, 0, () -> 0.5)).isEqualTo(400);
        assertThat(backoff.delayMillis(10, 0, () -> 0.999_999)).isEqualTo(5000);
        assertThat(backoff.delayMillis(40, 0, () -> 0.999_999)).isEqualTo(5000); // no shift overflow
        assertThat(backoff.delayMillis(1, 0, () -> 0.0)).isZero();
        assertThat(backoff.delayMillis(1, 1500, () -> 0.1)).isEqualTo(1500);
        assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBudgetAllowsRetriesUpToItsShareOfFirstAttemptsInTheWindow() {
        RetryBudget budget = new RetryBudget(0.1, 1, 10_000 * MS);
        long now = 100_000 * MS;
        for (int i = 0; i < 50; i++) {
            budget.recordFirstAttempt("a", now);
        }

        int allowed = 0;
        for (int i = 0; i < 20; i++) {
            allowed += budget.tryRetry("a", now) ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(5); // 10 % of 50

        // ten seconds on, the window has moved past those attempts and retries: the minimum, one, again
        assertThat(budget.tryRetry("a", now + 10_000 * MS)).isTrue();
        assertThat(budget.tryRetry("a", now + 10_000 * MS)).isFalse();
    }

    @Test
    void aQuietServiceStillRetriesItsOccasionalFailuresEachCallerUpToHalfTheFloor() {
        RetryBudget budget = new RetryBudget(0.1, 4, 10_000 * MS);
        budget.recordFirstAttempt("a", 0);
        budget.recordFirstAttempt("b", 0);

        assertThat(budget.tryRetry("a", 0)).isTrue();
        assertThat(budget.tryRetry("a", MS)).isTrue();
        assertThat(budget.tryRetry("a", 2 * MS)).as("a's half of the floor is spent").isFalse();
        assertThat(budget.tryRetry("b", 3 * MS)).isTrue();
        assertThat(budget.tryRetry("b", 4 * MS)).isTrue();
        assertThat(budget.tryRetry("b", 5 * MS)).isFalse();
    }

    @Test
    void aCallerWhoseRequestsKeepFailingSpendsItsOwnRetriesNeverTheOthers() {
        RetryBudget budget = new RetryBudget(0.1, 10, 10_000 * MS);
        long now = 100_000 * MS;
        for (int i = 0; i < 100; i++) {
            budget.recordFirstAttempt("poison", now);
            budget.recordFirstAttempt("bystander-" + (i % 10), now);
        }
        int poisonRetries = 0;
        for (int i = 0; i < 100; i++) {
            poisonRetries += budget.tryRetry("poison", now) ? 1 : 0;
        }
        assertThat(poisonRetries).as("10 % of its own 100 first attempts").isEqualTo(10);

        // the bystanders' share of the window (10 % of their 100) is all still there
        int bystanderRetries = 0;
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 2; j++) {
                bystanderRetries += budget.tryRetry("bystander-" + i, now) ? 1 : 0;
            }
        }
        assertThat(bystanderRetries).isEqualTo(10);
    }

    @Test
    void onlyTheUpstreamsLimitAndTransientFailuresAreRetried() {
        assertThat(List.of(429, 500, 502, 503, 504)).allMatch(RetryableAttempt::retryableStatus);
        assertThat(List.of(200, 400, 401, 403, 404, 409, 413, 422, 501)).noneMatch(RetryableAttempt::retryableStatus);
    }
}
