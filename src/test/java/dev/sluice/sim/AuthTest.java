package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AuthTest {

    private OpenAiSimulator simulator;
    private SimulatorClient client;

    @BeforeEach
    void start() {
        simulator = OpenAiSimulator.start(SimulatorConfig.defaults().withArgs("--keys=sk-sim-1,sk-sim-2", "--rpm=60"));
        client = new SimulatorClient(simulator);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void anUnknownKeyIsA401ThatNeverEchoesTheKey() {
        HttpResponse<String> response = client.post("/v1/chat/completions", "sk-not-a-real-key-1234", SimulatorClient.SMALL_CHAT);

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = SimulatorClient.json(response.body()).get("error");
        assertThat(error.get("message").asText()).startsWith("Incorrect API key provided: sk-").contains("1234")
                .doesNotContain("sk-not-a-real-key-1234");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    }

    @Test
    void aMissingKeyOrAnotherSchemeIsA401() {
        HttpResponse<String> missing = client.post("/v1/chat/completions", null, SimulatorClient.SMALL_CHAT);
        HttpRequest noKey = client.request("/v1/embeddings", null, "{}", Duration.ofSeconds(5));
        HttpResponse<String> basic = client.send(HttpRequest.newBuilder(noKey, (name, value) -> true)
                .header("Authorization", "Basic c2stc2ltLTE=").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(SimulatorClient.json(missing.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(client.stats().get("unauthorized").asLong()).isEqualTo(2);
    }

    @Test
    void everyConfiguredKeyIsAcceptedAndHasItsOwnBuckets() {
        assertThat(client.post("/v1/chat/completions", "sk-sim-1", SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200);
        assertThat(client.post("/v1/chat/completions", "sk-sim-2", SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(200);
        assertThat(client.post("/v1/chat/completions", "sk-sim-1", SimulatorClient.SMALL_CHAT).statusCode()).isEqualTo(429);
    }
}
