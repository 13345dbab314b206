package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The calls on a stored response: retrieve, delete, cancel, input items; one request each, no tokens. */
class StoredResponsesTest {

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

    private String create(String members) {
        HttpResponse<String> created = client.responses("{\"model\":\"gpt-sim\"," + members + "}");
        assertThat(created.statusCode()).isEqualTo(200);
        return created.body();
    }

    private static String id(String body) {
        return SimulatorClient.json(body).get("id").asText();
    }

    @Test
    void aStoredResponseIsRetrievedAsCreatedForOneRequestAndNoTokens() {
        start("--rpm=600", "--tpm=6000", "--tpm-bucket-seconds=1"); // 10 requests (10 a second), 100 tokens (100 a second)
        String body = create("\"input\":\"Say hello\"");

        HttpResponse<String> retrieved = client.get("/v1/responses/" + id(body));

        assertThat(retrieved.statusCode()).isEqualTo(200);
        assertThat(SimulatorClient.json(retrieved.body())).isEqualTo(SimulatorClient.json(body));
        assertThat(retrieved.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("8");
        assertThat(retrieved.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue(String.valueOf(100 - 3 - 16));
        JsonNode stats = client.stats().at("/keys/sk-sim-1");
        assertThat(stats.get("ok").asLong()).isEqualTo(2);
        assertThat(stats.get("tokens_charged").asLong()).isEqualTo(3 + 16);
    }

    @Test
    void aLookupIsRefusedLikeAnyCallWhenTheRequestBucketIsEmpty() {
        start("--rpm=60"); // capacity 1
        String id = id(create("\"input\":\"Say hello\""));

        HttpResponse<String> refused = client.get("/v1/responses/" + id);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(SimulatorClient.json(refused.body()).at("/error/type").asText()).isEqualTo("requests");
        assertThat(refused.headers().firstValue("retry-after-ms")).hasValue("1000");
        clock.advanceMillis(1000); // t=1 s
        assertThat(client.get("/v1/responses/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void aDeletedResponseIsGone() {
        start();
        String id = id(create("\"input\":\"Say hello\""));

        HttpResponse<String> deleted = client.delete("/v1/responses/" + id);

        assertThat(deleted.statusCode()).isEqualTo(200);
        JsonNode body = SimulatorClient.json(deleted.body());
        assertThat(body.get("id").asText()).isEqualTo(id);
        assertThat(body.get("object").asText()).isEqualTo("response");
        assertThat(body.get("deleted").asBoolean()).isTrue();
        assertThat(client.get("/v1/responses/" + id).statusCode()).isEqualTo(404);
        assertThat(client.delete("/v1/responses/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void anUnknownIdIsOpenAisJson404OnEveryCall() {
        start();

        List<HttpResponse<String>> answers = List.of(client.get("/v1/responses/resp_nope"),
                client.delete("/v1/responses/resp_nope"),
                client.post("/v1/responses/resp_nope/cancel", SimulatorClient.KEY, ""),
                client.get("/v1/responses/resp_nope/input_items"));

        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(404);
            JsonNode error = SimulatorClient.json(answer.body()).get("error");
            assertThat(error.get("message").asText()).isEqualTo("Response with id 'resp_nope' not found.");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        });
        assertThat(client.stats().at("/keys/sk-sim-1/ok").asLong()).isEqualTo(4); // each was a call the upstream took
    }

    @Test
    void aResponseCreatedWithoutStoreIsNotKept() {
        start();

        String id = id(create("\"input\":\"Say hello\",\"store\":false"));

        assertThat(client.get("/v1/responses/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void onlyABackgroundResponseCanBeCancelledAndItIsAlreadyFinal() {
        start();
        String foreground = id(create("\"input\":\"Say hello\""));
        String background = create("\"input\":\"Say hello\",\"background\":true");

        HttpResponse<String> refused = client.post("/v1/responses/" + foreground + "/cancel", SimulatorClient.KEY, "");
        HttpResponse<String> cancelled = client.post("/v1/responses/" + id(background) + "/cancel", SimulatorClient.KEY, "");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(SimulatorClient.json(refused.body()).at("/error/message").asText()).contains("background");
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(SimulatorClient.json(cancelled.body())).isEqualTo(SimulatorClient.json(background));
        assertThat(SimulatorClient.json(cancelled.body()).get("background").asBoolean()).isTrue();
    }

    @Test
    void aStreamedResponseIsStoredAsItsLastEventCarriesIt() {
        start("--chunks=2");
        List<ResponsesStreamingTest.Event> events = ResponsesStreamingTest.events(
                client.responses("{\"model\":\"gpt-sim\",\"stream\":true,\"input\":\"Say hello\"}").body());
        JsonNode completed = events.get(events.size() - 1).data().get("response");

        JsonNode retrieved = SimulatorClient.json(client.get("/v1/responses/" + completed.get("id").asText()).body());

        assertThat(retrieved).isEqualTo(completed);
    }

    @Test
    void inputItemsListAStringInputAsOneUserMessage() {
        start();
        String id = id(create("\"input\":\"Say hello\",\"instructions\":\"Be brief.\""));

        JsonNode list = SimulatorClient.json(client.get("/v1/responses/" + id + "/input_items").body());

        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("has_more").asBoolean()).isFalse();
        assertThat(list.get("data")).hasSize(1);
        JsonNode message = list.at("/data/0");
        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("role").asText()).isEqualTo("user");
        assertThat(message.at("/content/0/type").asText()).isEqualTo("input_text");
        assertThat(message.at("/content/0/text").asText()).isEqualTo("Say hello");
        assertThat(list.get("first_id").asText()).isEqualTo(message.get("id").asText()).startsWith("msg_");
    }

    @Test
    void inputItemsAreNewestFirstAndPageWithLimitAndAfter() {
        start();
        String id = id(create("\"input\":[{\"role\":\"user\",\"content\":\"one\"},{\"role\":\"assistant\",\"content\":\"two\"},"
                + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"three\"}]}]"));

        JsonNode firstPage = SimulatorClient.json(client.get("/v1/responses/" + id + "/input_items?limit=2").body());
        JsonNode secondPage = SimulatorClient.json(client.get("/v1/responses/" + id + "/input_items?limit=2&after="
                + firstPage.get("last_id").asText()).body());
        JsonNode ascending = SimulatorClient.json(client.get("/v1/responses/" + id + "/input_items?order=asc").body());

        assertThat(firstPage.get("data")).extracting(item -> item.at("/content/0/text").asText()).containsExactly("three", "two");
        assertThat(firstPage.get("has_more").asBoolean()).isTrue();
        assertThat(firstPage.at("/data/1/content/0/type").asText()).isEqualTo("output_text"); // the assistant's
        assertThat(secondPage.get("data")).extracting(item -> item.at("/content/0/text").asText()).containsExactly("one");
        assertThat(secondPage.get("has_more").asBoolean()).isFalse();
        assertThat(ascending.get("data")).extracting(item -> item.at("/content/0/text").asText())
                .containsExactly("one", "two", "three");
        assertThat(client.get("/v1/responses/" + id + "/input_items?limit=101").statusCode()).isEqualTo(400);
    }
}
