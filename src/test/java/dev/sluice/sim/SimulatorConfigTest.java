package dev.sluice.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatorConfigTest {

    @Test
    void defaultsAreAFastHonestUpstreamOnAFreePort() {
        SimulatorConfig config = SimulatorConfig.defaults();

        assertThat(config.port()).isZero();
        assertThat(config.keys()).containsExactly("sk-sim-1");
        assertThat(config.requestsPerMinute()).isZero();
        assertThat(config.tokensPerMinute()).isZero();
        assertThat(config.requestBucketSeconds()).isEqualTo(1.0); // RPM enforced over about a second
        assertThat(config.tokenBucketSeconds()).isEqualTo(60.0); // one request may use the whole TPM
        assertThat(config.tokenAccounting()).isEqualTo(SimulatorConfig.TokenAccounting.REQUEST);
        assertThat(config.chunks()).isEqualTo(8);
        assertThat(config.completionTokens()).isEqualTo(16);
        assertThat(config.defaultMaxTokens()).isEqualTo(16);
        assertThat(config.errorRate() + config.resetRate() + config.hangRate() + config.abortRate()).isZero();
    }

    @Test
    void readsTheCommandLineOnPort9000ByDefault() {
        SimulatorConfig config = SimulatorConfig.fromArgs("--keys=a-key, b-key", "--rpm=600", "--tpm=90000",
                "--rpm-bucket-seconds=2.5", "--tpm-bucket-seconds=30", "--token-accounting=usage", "--latency-ms=20", "--jitter-ms=5", "--chunks=3", "--chunk-interval-ms=10",
                "--completion-tokens=40", "--default-max-tokens=64", "--error-rate=0.1", "--reset-rate=0.2",
                "--hang-rate=0.3", "--abort-rate=0.4", "--seed=7");

        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.keys()).containsExactly("a-key", "b-key");
        assertThat(List.of(config.requestsPerMinute(), config.tokensPerMinute(), config.latencyMillis(),
                config.jitterMillis(), config.chunkIntervalMillis(), config.seed())).containsExactly(600L, 90000L, 20L, 5L, 10L, 7L);
        assertThat(List.of(config.chunks(), config.completionTokens(), config.defaultMaxTokens())).containsExactly(3, 40, 64);
        assertThat(config.tokenAccounting()).isEqualTo(SimulatorConfig.TokenAccounting.USAGE);
        assertThat(List.of(config.requestBucketSeconds(), config.tokenBucketSeconds(), config.errorRate(), config.resetRate(), config.hangRate(),
                config.abortRate())).containsExactly(2.5, 30.0, 0.1, 0.2, 0.3, 0.4);
        assertThat(SimulatorConfig.fromArgs("--port=0").port()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--rpm=-1                | rpm must be >= 0 (0 = unlimited), got -1",
            "--tpm=lots              | --tpm must be a whole number, got: lots",
            "--port=70000            | port must be in 0..65535 (0 = a free port), got 70000",
            "--rpm-bucket-seconds=0  | rpm-bucket-seconds must be > 0 and <= 86400, got 0.0",
            "--tpm-bucket-seconds=-1 | tpm-bucket-seconds must be > 0 and <= 86400, got -1.0",
            "--token-accounting=both | token-accounting must be request or usage, got both",
            "--error-rate=1.5        | error-rate must be between 0 and 1, got 1.5",
            "--abort-rate=NaN        | abort-rate must be between 0 and 1, got NaN",
            "--chunks=0              | chunks must be >= 1, got 0",
            "--keys=a,,b             | keys must be printable ASCII without spaces or commas, and not empty",
            "--keys=a,a              | keys must not repeat a key",
            "--latency=5             | unknown option(s): --latency",
            "rpm=5                   | expected --name=value, got: rpm=5",
    })
    void refusesBadValuesSayingWhatIsWrong(String arg, String message) {
        assertThatThrownBy(() -> SimulatorConfig.fromArgs(arg))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
