package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/moderations} and {@code POST /v1/audio/speech}: one request each, no tokens. */
class ModerationAndSpeechTest {

    private OpenAiSimulator simulator;
    private SimulatorClient client;

    @BeforeEach
    void start() {
        simulator = OpenAiSimulator.start(SimulatorConfig.defaults().withArgs("--rpm=600", "--tpm=6000"));
        client = new SimulatorClient(simulator);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    private HttpResponse<byte[]> speech(String body) {
        return client.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/audio/speech"))
                .header("Authorization", "Bearer " + SimulatorClient.KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aModerationIsAResultPerInputNothingFlagged() {
        HttpResponse<String> response = client.post("/v1/moderations", SimulatorClient.KEY,
                "{\"model\":\"omni-moderation-latest\",\"input\":[\"hello\",\"good bye\"]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("6000");
        JsonNode body = SimulatorClient.json(response.body());
        assertThat(body.get("id").asText()).startsWith("modr-");
        assertThat(body.get("model").asText()).isEqualTo("omni-moderation-latest");
        assertThat(body.get("results")).hasSize(2).allSatisfy(result -> {
            assertThat(result.get("flagged").asBoolean()).isFalse();
            assertThat(result.get("categories")).hasSize(13).allMatch(flag -> !flag.asBoolean());
            assertThat(result.at("/category_scores/violence").asDouble()).isBetween(0.0, 0.001);
            assertThat(result.at("/category_applied_input_types/hate/0").asText()).isEqualTo("text");
        });
        HttpResponse<String> bad = client.post("/v1/moderations", SimulatorClient.KEY, "{\"model\":\"m\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(SimulatorClient.json(bad.body()).at("/error/param").asText()).isEqualTo("input");
    }

    @Test
    void speechIsTheSameFewKilobytesOfMpegFramesForTheSameInput() {
        String body = "{\"model\":\"gpt-4o-mini-tts\",\"voice\":\"alloy\",\"input\":\"The quick brown fox jumped over the lazy dog.\"}";

        HttpResponse<byte[]> first = speech(body);
        HttpResponse<byte[]> second = speech(body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("content-type")).hasValue("audio/mpeg");
        assertThat(first.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("6000");
        assertThat(first.body()).hasSize(SpeechHandler.FRAME_BYTES * (4 + 45 / 8)).isEqualTo(second.body());
        assertThat(first.body()).startsWith((byte) 0xFF, (byte) 0xFB);
        assertThat(speech("{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"hi\",\"response_format\":\"wav\"}")
                .headers().firstValue("content-type")).hasValue("audio/wav");
        HttpResponse<byte[]> noVoice = speech("{\"model\":\"tts-1\",\"input\":\"hi\"}");
        assertThat(noVoice.statusCode()).isEqualTo(400);
        assertThat(SimulatorClient.json(new String(noVoice.body())).at("/error/param").asText()).isEqualTo("voice");
    }
}
