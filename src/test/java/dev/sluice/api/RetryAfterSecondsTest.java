package dev.sluice.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterSecondsTest {

    @Test
    void wholeSecondsRoundedUpAndNeverZero() {
        assertThat(ErrorMappers.retryAfterSeconds(0)).as("come back at once: still not 0").isEqualTo("1");
        assertThat(ErrorMappers.retryAfterSeconds(1)).isEqualTo("1");
        assertThat(ErrorMappers.retryAfterSeconds(TimeUnit.SECONDS.toNanos(1))).isEqualTo("1");
        assertThat(ErrorMappers.retryAfterSeconds(TimeUnit.MILLISECONDS.toNanos(4_001))).as("a breaker's 5 s, 999 ms in")
                .isEqualTo("5");
        assertThat(ErrorMappers.retryAfterSeconds(Long.MAX_VALUE)).isEqualTo(Long.toString(Long.MAX_VALUE / 1_000_000_000L + 1));
    }
}
