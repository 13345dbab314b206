package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/responses}, whole: OpenAI's Response object, metered like a chat completion. */
class ResponsesTest {

    static final String SMALL_RESPONSE = "{\"model\":\"gpt-sim\",\"input\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";

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

    @Test
    void aResponseHasOpenAisShapeAndTheUsageOfTheSameChat() {
        start("--completion-tokens=12");

        HttpResponse<String> response = client.responses(SMALL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        JsonNode body = SimulatorClient.json(response.body());
        assertThat(body.get("id").asText()).startsWith("resp_");
        assertThat(body.get("object").asText()).isEqualTo("response");
        assertThat(body.get("created_at").asLong()).isCloseTo(System.currentTimeMillis() / 1000, Offset.offset(5L));
        assertThat(body.get("status").asText()).isEqualTo("completed");
        assertThat(body.get("completed_at").asLong()).isEqualTo(body.get("created_at").asLong());
        assertThat(body.get("incomplete_details").isNull()).isTrue();
        assertThat(body.get("error").isNull()).isTrue();
        assertThat(body.get("model").asText()).isEqualTo("gpt-sim");
        assertThat(body.get("max_output_tokens").isNull()).isTrue();
        assertThat(body.get("store").asBoolean()).isTrue();
        JsonNode message = body.at("/output/0");
        assertThat(body.get("output")).hasSize(1);
        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("id").asText()).startsWith("msg_");
        assertThat(message.get("status").asText()).isEqualTo("completed");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(message.at("/content/0/type").asText()).isEqualTo("output_text");
        assertThat(message.at("/content/0/text").asText().split(" ")).hasSize(12);
        assertThat(message.at("/content/0/annotations")).isEmpty();
        JsonNode chatUsage = SimulatorClient.json(client.chat(SimulatorClient.SMALL_CHAT).body()).get("usage");
        assertThat(body.at("/usage/input_tokens").asLong()).isEqualTo(chatUsage.get("prompt_tokens").asLong()).isEqualTo(9);
        assertThat(body.at("/usage/input_tokens_details/cached_tokens").asLong()).isZero();
        assertThat(body.at("/usage/output_tokens").asLong()).isEqualTo(12);
        assertThat(body.at("/usage/output_tokens_details/reasoning_tokens").asLong()).isZero();
        assertThat(body.at("/usage/total_tokens").asLong()).isEqualTo(21);
        JsonNode stats = client.stats().at("/keys/sk-sim-1");
        assertThat(stats.get("ok").asLong()).isEqualTo(2);
        assertThat(stats.get("prompt_tokens").asLong()).isEqualTo(18);
        assertThat(stats.get("completion_tokens").asLong()).isEqualTo(24);
    }

    @Test
    void maxOutputTokensBelowTheAnswerEndsIncomplete() {
        start("--completion-tokens=40");

        JsonNode body = SimulatorClient.json(client.responses("{\"model\":\"gpt-sim\",\"input\":\"Say hello\","
                + "\"instructions\":\"Be \\\"brief\\\".\",\"max_output_tokens\":20}").body());

        assertThat(body.get("status").asText()).isEqualTo("incomplete");
        assertThat(body.at("/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
        assertThat(body.get("completed_at").isNull()).isTrue();
        assertThat(body.get("max_output_tokens").asLong()).isEqualTo(20);
        assertThat(body.get("instructions").asText()).isEqualTo("Be \"brief\".");
        assertThat(body.at("/output/0/status").asText()).isEqualTo("incomplete");
        assertThat(body.at("/output/0/content/0/text").asText().split(" ")).hasSize(20);
        assertThat(body.at("/usage/output_tokens").asLong()).isEqualTo(20);
    }

    @Test
    void aResponseIsChargedWhatTheSameChatIsFromTheSameBuckets() {
        start("--tpm=6000", "--tpm-bucket-seconds=1"); // 100 tokens a second, capacity 100

        HttpResponse<String> chat = client.chat(SimulatorClient.chatWithPrompt(9, "\"max_tokens\":40"));
        HttpResponse<String> response = client.responses("{\"model\":\"gpt-sim\",\"max_output_tokens\":40,"
                + "\"input\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(9) + "\"}]}");

        // each: "user" + 9 characters → 4 tokens, + 40
        assertThat(chat.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("56");
        assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("12");
        HttpResponse<String> refused = client.responses("{\"model\":\"gpt-sim\",\"input\":\"" + "x".repeat(9) + "\"}");
        assertThat(refused.statusCode()).isEqualTo(429); // 3 + the default 16 > 12
        JsonNode error = SimulatorClient.json(refused.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("tokens");
        assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.get("message").asText()).isEqualTo("Rate limit reached for tokens per min (TPM): Limit 6000,"
                + " Remaining 12, Requested 19. Please try again in 70ms.");
        assertThat(refused.headers().firstValue("retry-after-ms")).hasValue("70");
        assertThat(client.stats().at("/keys/sk-sim-1/tokens_charged").asLong()).isEqualTo(88);
    }

    @Test
    void theRequestBucketIsSharedWithChat() {
        start("--rpm=60"); // 1 a second, capacity 1

        assertThat(client.chat(SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = client.responses(SMALL_RESPONSE);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(SimulatorClient.json(refused.body()).at("/error/type").asText()).isEqualTo("requests");
        clock.advanceMillis(1000); // t=1 s: the bucket has one request again
        assertThat(client.responses(SMALL_RESPONSE).statusCode()).isEqualTo(200);
    }

    @Test
    void usageAccountingSettlesAResponseToWhatItUsed() {
        start("--tpm=6000", "--completion-tokens=10", "--token-accounting=usage");

        client.responses("{\"model\":\"gpt-sim\",\"max_output_tokens\":1000,\"input\":\"Say hello\"}");

        // charged 3 + 1000 on arrival, settled to 9 input + 10 output tokens when answered
        assertThat(client.stats().at("/keys/sk-sim-1/tokens_charged").asLong()).isEqualTo(19);
    }

    @Test
    void aBadBodyIsA400NamingTheParameter() {
        start();

        HttpResponse<String> bad = client.responses("{\"model\":\"gpt-sim\",\"input\":\"hi\",\"max_output_tokens\":8}");

        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode error = SimulatorClient.json(bad.body()).get("error");
        assertThat(error.get("param").asText()).isEqualTo("max_output_tokens");
        assertThat(error.get("code").asText()).isEqualTo("integer_below_min_value");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(client.stats().at("/keys/sk-sim-1/bad_requests").asLong()).isEqualTo(1);
    }
}
