package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class StatsTest {

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

    private int chat() {
        // 9 prompt + 16 completion tokens; charged 4 ("user" + "Say hello" by characters) + 16 on arrival
        return client.chat(SimulatorClient.SMALL_CHAT).statusCode();
    }

    @Test
    void countsEachKeyPerSecondSinceTheStart() {
        start("--rpm=60", "--keys=sk-sim-1,sk-sim-2"); // capacity 1, one more a second
        assertThat(chat()).isEqualTo(200); // t=0
        assertThat(chat()).isEqualTo(429);
        clock.advanceMillis(1000); // t=1 s
        assertThat(chat()).isEqualTo(200);
        assertThat(chat()).isEqualTo(429);
        assertThat(chat()).isEqualTo(429);
        clock.advanceMillis(1500); // t=2.5 s
        assertThat(chat()).isEqualTo(200);

        JsonNode stats = client.stats();
        long since = stats.get("since_ms").asLong();
        assertThat(stats.get("now_ms").asLong()).isEqualTo(since + 2500);
        assertThat(stats.get("per_second_from").asLong()).isZero();
        assertThat(stats.get("limits").toString()).isEqualTo("{\"rpm\":60,\"tpm\":0,\"rpm_bucket_seconds\":1.0,\"tpm_bucket_seconds\":60.0,\"token_accounting\":\"request\"}");
        JsonNode key = stats.at("/keys/sk-sim-1");
        assertThat(key.get("ok").asLong()).isEqualTo(3);
        assertThat(key.get("rate_limited").asLong()).isEqualTo(3);
        assertThat(key.get("server_errors").asLong() + key.get("faults").asLong()).isZero();
        assertThat(key.get("prompt_tokens").asLong()).isEqualTo(27);
        assertThat(key.get("completion_tokens").asLong()).isEqualTo(48);
        assertThat(key.get("tokens_charged").asLong()).isEqualTo(60);
        assertThat(key.get("most_in_flight").asLong()).as("one after the other").isEqualTo(1);
        assertThat(key.get("first_ok_ms").asLong()).isEqualTo(since);
        assertThat(key.get("last_ok_ms").asLong()).isEqualTo(since + 2500);
        assertThat(key.get("ok_per_second").toString()).isEqualTo("[1,1,1]");
        assertThat(key.get("rate_limited_per_second").toString()).isEqualTo("[1,2,0]");
        JsonNode idle = stats.at("/keys/sk-sim-2"); // configured keys are listed with zeros
        assertThat(idle.get("ok").asLong()).isZero();
        assertThat(idle.get("first_ok_ms").isNull()).isTrue();
        assertThat(idle.get("ok_per_second").toString()).isEqualTo("[0,0,0]");
    }

    @Test
    void aResetZeroesTheCountersAndRefillsTheBuckets() {
        start("--rpm=60");
        assertThat(chat()).isEqualTo(200);
        assertThat(chat()).isEqualTo(429);
        clock.advanceMillis(5000); // t=5 s

        assertThat(client.resetStats()).isEqualTo(204);
        JsonNode reset = client.stats().at("/keys/sk-sim-1");
        assertThat(reset.get("ok").asLong() + reset.get("rate_limited").asLong() + reset.get("tokens_charged").asLong()).isZero();
        assertThat(reset.get("last_ok_ms").isNull()).isTrue();
        assertThat(reset.get("ok_per_second").toString()).isEqualTo("[0]");

        assertThat(chat()).isEqualTo(200); // t=5 s: full again
        assertThat(chat()).isEqualTo(429);
        assertThat(client.stats().at("/keys/sk-sim-1/ok_per_second").toString()).isEqualTo("[1]");
    }

    @Test
    void thePerSecondArraysKeepTheLastHour() {
        start();
        assertThat(chat()).isEqualTo(200); // second 0
        clock.advanceMillis(3_700_000); // second 3700
        assertThat(chat()).isEqualTo(200);

        JsonNode stats = client.stats();
        JsonNode perSecond = stats.at("/keys/sk-sim-1/ok_per_second");
        assertThat(stats.get("per_second_from").asLong()).isEqualTo(101);
        assertThat(perSecond).hasSize(3600);
        assertThat(perSecond.get(3599).asLong()).isEqualTo(1);
        assertThat(stats.at("/keys/sk-sim-1/ok").asLong()).isEqualTo(2);
    }

    @Test
    void countsExactlyUnderConcurrentRequests() {
        start();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            var senders = IntStream.range(0, 8).mapToObj(thread -> CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 50; i++) {
                    assertThat(chat()).isEqualTo(200);
                }
            }, threads)).toList();
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
        } finally {
            threads.shutdownNow();
        }

        JsonNode key = client.stats().at("/keys/sk-sim-1");
        assertThat(key.get("ok").asLong()).isEqualTo(400);
        assertThat(key.get("ok_per_second").toString()).isEqualTo("[400]");
        assertThat(key.get("most_in_flight").asLong()).isBetween(1L, 8L);
    }

    @Test
    void countsTheMostRequestsInFlightAtOnce() {
        start("--latency-ms=2000"); // long enough for four senders to be in flight together on a busy box
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            var senders = IntStream.range(0, 4).mapToObj(thread -> CompletableFuture.runAsync(() -> assertThat(chat()).isEqualTo(200),
                    threads)).toList();
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
        } finally {
            threads.shutdownNow();
        }
        assertThat(chat()).isEqualTo(200); // alone: the most stays

        assertThat(client.stats().at("/keys/sk-sim-1/most_in_flight").asLong()).isEqualTo(4);
    }
}
