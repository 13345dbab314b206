package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sim.OpenAiSimulator;
import dev.sluice.sim.SimulatorConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end against the simulated OpenAI upstream: it allows 120 requests a minute in bursts of 2,
 * and Sluice knows that limit. A rush of callers gets through exactly as far as the upstream
 * allows; the rest are refused by Sluice, so the upstream never has to refuse anyone.
 */
@QuarkusTest
@TestProfile(SluiceAgainstSimulatorTest.KnowsTheLimit.class)
class SluiceAgainstSimulatorTest {

    static final String KEY = "sk-sim-1";
    static final int SIMULATOR_PORT = freePort();
    static OpenAiSimulator simulator;

    public static class KnowsTheLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.url", "http://127.0.0.1:" + SIMULATOR_PORT + "/v1",
                    "sluice.upstream.api-key", KEY,
                    "sluice.upstream.rpm", "120",
                    "sluice.upstream.burst", "2"); // the upstream's own: one second's worth
        }
    }

    @BeforeAll
    static void startSimulator() {
        simulator = OpenAiSimulator.start(SimulatorConfig.defaults()
                .withArgs("--port=" + SIMULATOR_PORT, "--keys=" + KEY, "--rpm=120", "--rpm-bucket-seconds=1"));
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @Test
    void aRushOfCallersNeverReachesTheUpstreamBeyondItsLimit() throws Exception {
        TestClock.refillEverything();
        String body = "{\"model\":\"gpt-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
        int ok = 0;
        int refused = 0;
        for (int caller = 0; caller < 10; caller++) {
            int status = given().header("Authorization", "Bearer rush-" + caller).contentType(ContentType.JSON)
                    .body(body).when().post("/v1/chat/completions").then().extract().statusCode();
            ok += status == 200 ? 1 : 0;
            refused += status == 429 ? 1 : 0;
        }

        assertThat(ok).isEqualTo(2);
        assertThat(refused).isEqualTo(8);
        JsonNode key = upstreamStats().path("keys").path(KEY);
        assertThat(key.path("ok").asLong()).isEqualTo(2);
        assertThat(key.path("rate_limited").asLong()).as("the upstream refused nobody").isZero();
    }

    private static JsonNode upstreamStats() throws Exception {
        URI stats = URI.create("http://127.0.0.1:" + simulator.port() + "/stats");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(stats).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(response.body());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
