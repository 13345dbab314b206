package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/responses} with {@code "stream": true}: typed events in OpenAI's order. */
class ResponsesStreamingTest {

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

    /** One server-sent event: its {@code event:} name and its {@code data:} JSON. */
    record Event(String name, JsonNode data) {
    }

    static List<Event> events(String body) {
        return StreamingTest.events(body).stream().map(event -> {
            String[] lines = event.split("\n");
            assertThat(lines).hasSize(2);
            assertThat(lines[0]).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            return new Event(lines[0].substring("event: ".length()), SimulatorClient.json(lines[1].substring("data: ".length())));
        }).toList();
    }

    @Test
    void streamsTheEventsInOpenAisOrderAndEndsWithTheUsage() {
        start("--chunks=4", "--completion-tokens=8");

        HttpResponse<String> response = client.responses("{\"model\":\"gpt-sim\",\"stream\":true,"
                + "\"input\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.body()).doesNotContain("[DONE]");
        List<Event> events = events(response.body());
        assertThat(events).extracting(Event::name).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed");
        assertThat(events).allSatisfy(event -> assertThat(event.data().get("type").asText()).isEqualTo(event.name()));
        assertThat(events).extracting(event -> event.data().get("sequence_number").asInt())
                .containsExactlyElementsOf(IntStream.range(0, events.size()).boxed().toList());
        JsonNode created = events.get(0).data().get("response");
        assertThat(created.get("status").asText()).isEqualTo("in_progress");
        assertThat(created.get("output")).isEmpty();
        assertThat(created.get("usage").isNull()).isTrue();
        String messageId = events.get(2).data().at("/item/id").asText();
        assertThat(events.get(2).data().at("/item/status").asText()).isEqualTo("in_progress");
        String text = events.subList(4, 8).stream().peek(delta -> assertThat(delta.data().get("item_id").asText()).isEqualTo(messageId))
                .map(delta -> delta.data().get("delta").asText()).reduce("", String::concat);
        assertThat(text.split(" ")).hasSize(8);
        assertThat(events.get(8).data().get("text").asText()).isEqualTo(text);
        assertThat(events.get(9).data().at("/part/text").asText()).isEqualTo(text);
        assertThat(events.get(10).data().at("/item/status").asText()).isEqualTo("completed");
        JsonNode completed = events.get(11).data().get("response");
        assertThat(completed.get("id").asText()).isEqualTo(created.get("id").asText()).startsWith("resp_");
        assertThat(completed.get("status").asText()).isEqualTo("completed");
        assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo(text);
        assertThat(completed.at("/usage/input_tokens").asLong()).isEqualTo(9);
        assertThat(completed.at("/usage/output_tokens").asLong()).isEqualTo(8);
        assertThat(completed.at("/usage/total_tokens").asLong()).isEqualTo(17);
    }

    @Test
    void aStreamCutByMaxOutputTokensEndsWithResponseIncomplete() {
        start("--chunks=3", "--completion-tokens=40");

        List<Event> events = events(client.responses("{\"model\":\"gpt-sim\",\"stream\":true,\"input\":\"Say hello\","
                + "\"max_output_tokens\":16}").body());

        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("response.incomplete");
        assertThat(last.data().at("/response/status").asText()).isEqualTo("incomplete");
        assertThat(last.data().at("/response/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
        assertThat(last.data().at("/response/usage/output_tokens").asLong()).isEqualTo(16);
        assertThat(events.get(events.size() - 2).data().at("/item/status").asText()).isEqualTo("incomplete");
        assertThat(events).extracting(Event::name).doesNotContain("response.completed");
    }

    @Test
    void anAbortedStreamStopsBeforeItsEnd() {
        start("--chunks=4", "--abort-rate=1");

        String raw = client.postReadingUntilClosed("/v1/responses", "{\"model\":\"gpt-sim\",\"stream\":true,\"input\":\"hi\"}");

        assertThat(raw).startsWith("HTTP/1.1 200").contains("event: response.created")
                .contains("event: response.output_text.delta").doesNotContain("response.output_text.done")
                .doesNotContain("response.completed");
        assertThat(raw.split("event: response.output_text.delta", -1)).hasSize(3); // 2 of the 4 deltas
    }
}
