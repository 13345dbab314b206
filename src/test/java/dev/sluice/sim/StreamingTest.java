package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingTest {

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

    static List<String> events(String body) {
        return Arrays.stream(body.split("\n\n")).filter(event -> !event.isBlank()).toList();
    }

    private static JsonNode data(String event) {
        assertThat(event).startsWith("data: ");
        return SimulatorClient.json(event.substring("data: ".length()));
    }

    @Test
    void streamsTheConfiguredChunksThenDone() {
        start("--chunks=4", "--completion-tokens=8");

        HttpResponse<String> response = client.chat(SimulatorClient.chatWithPrompt(9, "\"stream\":true"));

        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        List<String> events = events(response.body());
        assertThat(events).hasSize(5).last().isEqualTo("data: [DONE]");
        JsonNode first = data(events.get(0));
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("id").asText()).startsWith("chatcmpl-");
        assertThat(first.get("model").asText()).isEqualTo("gpt-sim");
        assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(first.at("/choices/0/finish_reason").isNull()).isTrue();
        JsonNode middle = data(events.get(1));
        assertThat(middle.at("/choices/0/delta").has("role")).isFalse();
        assertThat(middle.at("/choices/0/delta/content").asText()).isNotEmpty();
        assertThat(data(events.get(3)).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        String text = events.subList(0, 4).stream().map(event -> data(event).at("/choices/0/delta/content").asText())
                .reduce("", String::concat);
        assertThat(text.split(" ")).hasSize(8);
        assertThat(response.body()).doesNotContain("\"usage\"");
    }

    @Test
    void aUsageChunkComesLastOnlyWhenAskedFor() {
        start("--chunks=3", "--completion-tokens=16");

        List<String> events = events(client.chat(SimulatorClient.chatWithPrompt(9,
                "\"stream\":true,\"max_tokens\":6,\"stream_options\":{\"include_usage\":true}")).body());

        assertThat(events).hasSize(5).last().isEqualTo("data: [DONE]");
        assertThat(data(events.get(2)).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        JsonNode usage = data(events.get(3));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/prompt_tokens").asLong()).isEqualTo(9);
        assertThat(usage.at("/usage/completion_tokens").asLong()).isEqualTo(6);
        assertThat(usage.at("/usage/total_tokens").asLong()).isEqualTo(15);
    }

    @Test
    void chunksAreSpacedByTheInterval() {
        start("--chunks=4", "--chunk-interval-ms=40"); // real waits: spacing cannot be shown otherwise

        long startNanos = System.nanoTime();
        List<String> events = events(client.chat(SimulatorClient.chatWithPrompt(9, "\"stream\":true")).body());
        long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;

        assertThat(events).hasSize(5);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(3 * 40);
    }
}
