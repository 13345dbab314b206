package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class CompletionTest {

    private OpenAiSimulator simulator;
    private SimulatorClient client;

    @BeforeEach
    void start() {
        simulator = OpenAiSimulator.start(SimulatorConfig.defaults().withArgs("--completion-tokens=12"));
        client = new SimulatorClient(simulator);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void aChatCompletionHasOpenAisShapeAndUsage() {
        HttpResponse<String> response = client.chat(SimulatorClient.SMALL_CHAT);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        JsonNode body = SimulatorClient.json(response.body());
        assertThat(body.get("id").asText()).startsWith("chatcmpl-");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        assertThat(body.get("model").asText()).isEqualTo("gpt-sim");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(choice.at("/message/content").asText().split(" ")).hasSize(12);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/prompt_tokens").asLong()).isEqualTo(9);
        assertThat(body.at("/usage/completion_tokens").asLong()).isEqualTo(12);
        assertThat(body.at("/usage/total_tokens").asLong()).isEqualTo(21);
    }

    @Test
    void maxTokensCapsTheReplyAndEachChoiceCounts() {
        JsonNode body = SimulatorClient.json(client.chat("{\"model\":\"we \\\"quote\\\"\",\"max_tokens\":5,\"n\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}").body());

        assertThat(body.get("model").asText()).isEqualTo("we \"quote\"");
        assertThat(body.get("choices")).hasSize(2);
        assertThat(body.at("/choices/1/index").asInt()).isEqualTo(1);
        assertThat(body.at("/choices/1/finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/choices/1/message/content").asText().split(" ")).hasSize(5);
        assertThat(body.at("/usage/completion_tokens").asLong()).isEqualTo(10);
    }

    @Test
    void embeddingsHaveOneVectorPerInput() {
        HttpResponse<String> response = client.post("/v1/embeddings", SimulatorClient.KEY,
                "{\"model\":\"text-embedding-3-small\",\"input\":[\"abcdefgh\",\"abc\"]}");

        JsonNode body = SimulatorClient.json(response.body());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("model").asText()).isEqualTo("text-embedding-3-small");
        assertThat(body.get("data")).hasSize(2);
        assertThat(body.at("/data/1/object").asText()).isEqualTo("embedding");
        assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
        assertThat(body.at("/data/0/embedding")).hasSize(8).allMatch(JsonNode::isNumber);
        assertThat(body.at("/usage/prompt_tokens").asLong()).isEqualTo(2); // "abcdefgh" and "abc": 1 token each
        assertThat(body.at("/usage/total_tokens").asLong()).isEqualTo(2);
    }

    @Test
    void aBadBodyIsA400NamingTheParameterAndAnUnknownPathA404() {
        HttpResponse<String> bad = client.chat("{\"model\":\"m\",\"messages\":\"hi\"}");
        HttpResponse<String> unknown = client.post("/v1/completions", SimulatorClient.KEY, "{}");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(SimulatorClient.json(bad.body()).at("/error/param").asText()).isEqualTo("messages");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(SimulatorClient.json(unknown.body()).at("/error/message").asText()).isEqualTo("Invalid URL (POST /v1/completions)");
        assertThat(client.stats().at("/keys/sk-sim-1/bad_requests").asLong()).isEqualTo(1);
    }
}
