package dev.sluice.limit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateTest {

    @ParameterizedTest
    @CsvSource({
            "5/s,        5, 1000000000",
            "600/m,    600, 60000000000",
            "1/h,        1, 3600000000000",
            "' 7 / sec ', 7, 1000000000",
            "30/min,    30, 60000000000",
            "2/hour,     2, 3600000000000",
            "10/S,      10, 1000000000",
    })
    void parsesTokensAndPeriod(String text, long tokens, long periodNanos) {
        assertThat(Rate.parse(text)).isEqualTo(new Rate(tokens, periodNanos));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "five/s | N must be a whole number",
            "5      | expected N/s, N/m or N/h",
            "/s     | expected N/s, N/m or N/h",
            "0/s    | N must be at least 1",
            "-3/m   | N must be at least 1",
            "5/d    | unknown unit 'd'",
            "5/     | unknown unit ''",
            "1.5/s  | N must be a whole number",
    })
    void rejectsMalformedTextSayingWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Rate.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsBlankText() {
        assertThatThrownBy(() -> Rate.parse(" ")).hasMessageContaining("a rate is required");
        assertThatThrownBy(() -> Rate.parse(null)).hasMessageContaining("a rate is required");
    }

    @ParameterizedTest
    @CsvSource({
            "5/s,   200000000",     // exact
            "600/m, 100000000",     // exact
            "3/s,   333333334",     // 333,333,333.3 rounded up: never looser than configured
            "7/s,   142857143",
            "1/h,   3600000000000",
    })
    void emissionIntervalIsRoundedUp(String text, long intervalNanos) {
        assertThat(Rate.parse(text).emissionIntervalNanos()).isEqualTo(intervalNanos);
    }

    @Test
    void rejectsRatesFinerThanOneTokenPerNanosecond() {
        assertThat(Rate.perSecond(1_000_000_000L).emissionIntervalNanos()).isEqualTo(1);
        assertThatThrownBy(() -> Rate.perSecond(1_000_000_001L))
                .hasMessageContaining("above 1 token per nanosecond");
        assertThatThrownBy(() -> Rate.perSecond(Long.MAX_VALUE))
                .hasMessageContaining("above 1 token per nanosecond");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5/s", "600/m", "1/h"})
    void printsAsParsed(String text) {
        assertThat(Rate.parse(text)).hasToString(text);
    }
}
