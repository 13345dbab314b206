package dev.sluice.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
            "-5,              0s",
            "0,               0s",
            "1,               1ms",       // rounded up: a client waiting that long never comes back early
            "20000000,        20ms",
            "999000000,       999ms",
            "999000001,       1s",
            "1000000000,      1s",
            "1005000000,      1.005s",
            "1050000000,      1.05s",
            "1500000000,      1.5s",
            "1234000000,      1.234s",
            "59999000000,     59.999s",
            "60000000000,     1m0s",
            "61500000000,     1m1.5s",
            "360000000000,    6m0s",
            "3600000000000,   1h0m0s",
            "3723000000000,   1h2m3s",
            "90000000000000,  25h0m0s",
    })
    void formatsLikeGoRoundedUpToTheMillisecond(long nanos, String text) {
        assertThat(GoDuration.format(nanos)).isEqualTo(text);
    }
}
