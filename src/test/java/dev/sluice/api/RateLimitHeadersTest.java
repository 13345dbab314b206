package dev.sluice.api;

import dev.sluice.limit.BucketSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadersTest {

    @ParameterizedTest
    @CsvSource({
            "0,               0s",
            "1,               1ms",       // rounded up: never tell a client to come back early
            "20000000,        20ms",
            "999000001,       1s",
            "1000000000,      1s",
            "1500000000,      1.5s",
            "1234000000,      1.234s",
            "60000000000,     1m0s",
            "360000000000,    6m0s",
            "3723000000000,   1h2m3s",
            "3600000000000,   1h0m0s",
    })
    void formatsDurationsTheWayOpenAiDoes(long nanos, String text) {
        assertThat(RateLimitHeaders.formatDuration(nanos)).isEqualTo(text);
    }

    @Test
    void describesARefusalInWholeSecondsAndMilliseconds() {
        var headers = RateLimitHeaders.forRefusal(1_200_000_001L, new BucketSnapshot(10, 0, 6_000_000_000L), "requests");

        assertThat(headers).containsExactly(
                java.util.Map.entry("retry-after", "2"),
                java.util.Map.entry("retry-after-ms", "1201"),
                java.util.Map.entry("x-ratelimit-limit-requests", "10"),
                java.util.Map.entry("x-ratelimit-remaining-requests", "0"),
                java.util.Map.entry("x-ratelimit-reset-requests", "6s"));
    }
}
