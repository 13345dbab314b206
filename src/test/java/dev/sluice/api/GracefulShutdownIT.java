package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar stopped by {@code SIGTERM} while a stream and a whole reply are in flight to a slow
 * upstream: a request that comes after the signal gets a 503 in OpenAI's shape with {@code Retry-After},
 * and both requests in flight still finish, before the process exits. Run by failsafe after the jar is
 * built (its own execution in the pom, so {@code mvn verify} runs it although {@code skipITs} is true).
 */
class GracefulShutdownIT {

    static final String CHAT = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final ObjectMapper json = new ObjectMapper();
    TestUpstream upstream;
    SluiceProcess sluice;

    @BeforeEach
    void start() throws Exception {
        upstream = TestUpstream.start();
        sluice = SluiceProcess.start(Path.of(System.getProperty("test.sluice-jar", "target/quarkus-app/quarkus-run.jar")),
                Path.of("target", "graceful-shutdown-it", "sluice.log"),
                Map.of("SLUICE_UPSTREAM_URL", upstream.baseUrl(), "QUARKUS_SHUTDOWN_TIMEOUT", "30s",
                        "SLUICE_UPSTREAM_TIMEOUT", "30s"));
    }

    @AfterEach
    void stop() {
        sluice.close();
        upstream.close();
    }

    @Test
    void refusesNewRequestsAfterSigtermWhileThoseInFlightFinish() throws Exception {
        CompletableFuture<Void> streamGate = new CompletableFuture<>();
        CompletableFuture<Void> replyGate = new CompletableFuture<>();
        List<String> chunks = TestUpstream.streamChunks();
        upstream.enqueue(Reply.gatedStream(chunks.get(0), streamGate, chunks.subList(1, chunks.size()).toArray(String[]::new)),
                Reply.after(replyGate, Reply.completion()));

        // a stream whose first chunk has reached the caller, and a whole reply the upstream is still working on
        HttpResponse<java.io.InputStream> stream = client.send(chat(STREAM), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        BufferedReader streamBody = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(streamBody.readLine()).startsWith("data: ");
        CompletableFuture<HttpResponse<String>> whole = client.sendAsync(chat(CHAT), HttpResponse.BodyHandlers.ofString());
        await("both requests at the upstream").atMost(Duration.ofSeconds(10)).until(() -> upstream.requests().size() == 2);

        sluice.terminate();
        // Quarkus's own line, once it has told every listener of the stop and waits for the requests in flight
        await("Sluice has taken the signal").atMost(Duration.ofSeconds(10))
                .until(() -> sluice.output().contains("Waiting for HTTP requests to complete"));

        // a new connection, as a caller that comes after the signal opens
        HttpResponse<String> refused = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(chat(CHAT), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode error = json.readTree(refused.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("code").asText()).isEqualTo("shutting_down");
        assertThat(error.has("param")).isTrue();
        assertThat(upstream.requests()).hasSize(2);

        // the upstream answers now: both requests in flight get their whole answer
        streamGate.complete(null);
        replyGate.complete(null);
        String rest = streamBody.lines().collect(Collectors.joining("\n"));
        assertThat(rest.strip()).endsWith("data: [DONE]");
        assertThat(whole.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(whole.get().body()).contains("chatcmpl-test");

        assertThat(sluice.exited(Duration.ofSeconds(30))).as("Sluice exits once they are done").isTrue();
        String output = sluice.output();
        assertThat(output.lines().filter(line -> line.contains("POST /v1/chat/completions 503"))).hasSize(1)
                .allSatisfy(line -> assertThat(line).contains("(shutting_down)"));
        assertThat(output.lines().filter(line -> line.contains("POST /v1/chat/completions 200"))).hasSize(2);
        assertThat(output).doesNotContain("Timed out waiting for graceful shutdown");
    }

    private HttpRequest chat(String body) {
        return HttpRequest.newBuilder(URI.create(sluice.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer sk-caller").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
