package dev.sluice.sim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each fault at rate 1.0, so that every request gets it; and 5xx bursts on a clock moved by hand. */
class FaultTest {

    private OpenAiSimulator simulator;
    private SimulatorClient client;

    private void start(String... args) {
        simulator = OpenAiSimulator.start(SimulatorConfig.defaults().withArgs(args));
        client = new SimulatorClient(simulator);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void serverErrorsAlternate500And503WithOpenAiJson() {
        start("--error-rate=1");

        HttpResponse<String> first = client.chat(SimulatorClient.SMALL_CHAT);
        HttpResponse<String> second = client.chat(SimulatorClient.SMALL_CHAT);

        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(SimulatorClient.json(first.body()).at("/error/type").asText()).isEqualTo("server_error");
        assertThat(SimulatorClient.json(second.body()).at("/error/message").asText()).contains("overloaded");
        assertThat(client.stats().at("/keys/sk-sim-1/server_errors").asLong()).isEqualTo(2);
        assertThat(client.stats().at("/keys/sk-sim-1/ok").asLong()).isZero();
    }

    @Test
    void aResetClosesTheConnectionWithoutAnAnswer() {
        start("--reset-rate=1");

        assertThatThrownBy(() -> client.chat(SimulatorClient.SMALL_CHAT)).isInstanceOf(UncheckedIOException.class);
        assertThat(client.stats().at("/keys/sk-sim-1/faults").asLong()).isEqualTo(1);
    }

    @Test
    void aHangNeverAnswers() {
        start("--hang-rate=1");

        var request = client.request("/v1/chat/completions", SimulatorClient.KEY, SimulatorClient.SMALL_CHAT,
                Duration.ofMillis(300)); // the one real wait: a hang shows only as time passing
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .hasCauseInstanceOf(HttpTimeoutException.class);
        assertThat(client.stats().at("/keys/sk-sim-1/faults").asLong()).isEqualTo(1);
    }

    @Test
    void anAbortedStreamStopsAfterAboutHalfTheChunksWithoutDone() {
        start("--abort-rate=1", "--chunks=8");

        String raw = client.postReadingUntilClosed("/v1/chat/completions", SimulatorClient.chatWithPrompt(9, "\"stream\":true"));

        assertThat(raw).startsWith("HTTP/1.1 200 OK").doesNotContain("[DONE]")
                .doesNotEndWith("0\r\n\r\n"); // the closing empty chunk never came
        assertThat(raw.split("chat\\.completion\\.chunk", -1)).hasSize(1 + 4);
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200); // only streams abort
        assertThat(client.stats().at("/keys/sk-sim-1/faults").asLong()).isEqualTo(1);
    }

    @Test
    void aBurstAnswersEveryRequest5xxForItsLengthThenLetsThemThrough() {
        TestNanoClock clock = new TestNanoClock();
        simulator = OpenAiSimulator.start(SimulatorConfig.defaults().withNanoTime(clock)
                .withArgs("--error-burst-ms=200", "--error-burst-every-ms=1000"));
        client = new SimulatorClient(simulator);

        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(500); // t=0: in the burst
        clock.advanceMillis(199); // t=199
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(503);
        clock.advanceMillis(1); // t=200: the burst is over
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200);
        clock.advanceMillis(800); // t=1000: the next one
        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(500);
        assertThat(client.stats().at("/keys/sk-sim-1/server_errors").asLong()).isEqualTo(3);
    }

    @Test
    void latencyDelaysTheAnswer() {
        start("--latency-ms=100"); // a real wait: latency is what is being shown

        long startNanos = System.nanoTime();
        HttpResponse<String> response = client.chat(SimulatorClient.SMALL_CHAT);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - startNanos) / 1_000_000).isGreaterThanOrEqualTo(100);
        assertThat(response.headers().firstValue("openai-processing-ms").map(Long::parseLong)).hasValueSatisfying(
                millis -> assertThat(millis).isGreaterThanOrEqualTo(100));
    }
}
