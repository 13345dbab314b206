package dev.sluice.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v1/files}: a multipart upload comes back byte for byte; each call is one request. */
class FilesTest {

    private static final String BOUNDARY = "sim-boundary-7MA4YWxkTrZu0gW";

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

    /** A {@code multipart/form-data} body with the given purpose (none when null) and file (none when null). */
    private static byte[] multipart(String purpose, String filename, byte[] content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (purpose != null) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose
                    + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (content != null) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    private HttpResponse<String> upload(byte[] body, String contentType) {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + "/v1/files"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + SimulatorClient.KEY)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(String purpose, String filename, byte[] content) {
        return upload(multipart(purpose, filename, content), "multipart/form-data; boundary=" + BOUNDARY);
    }

    /** Every byte value, over and over, with the boundary's own start in it: nothing may be lost or changed. */
    private static byte[] content(int length) {
        byte[] content = new byte[length];
        for (int index = 0; index < length; index++) {
            content[index] = (byte) (index * 31 + index / 256);
        }
        if (length > 1007) {
            System.arraycopy("\r\n--sim".getBytes(StandardCharsets.US_ASCII), 0, content, 1000, 7);
        }
        return content;
    }

    @Test
    void anUploadIsListedRetrievedReadBackAndDeleted() {
        start();
        byte[] content = content(300_000);

        HttpResponse<String> uploaded = upload("batch", "requests.jsonl", content);

        assertThat(uploaded.statusCode()).isEqualTo(200);
        JsonNode file = SimulatorClient.json(uploaded.body());
        String id = file.get("id").asText();
        assertThat(id).startsWith("file-");
        assertThat(file.get("object").asText()).isEqualTo("file");
        assertThat(file.get("bytes").asLong()).isEqualTo(300_000);
        assertThat(file.get("filename").asText()).isEqualTo("requests.jsonl");
        assertThat(file.get("purpose").asText()).isEqualTo("batch");
        assertThat(file.get("created_at").asLong()).isPositive();
        String second = SimulatorClient.json(upload("user_data", "notes.txt", "hello".getBytes()).body()).get("id").asText();

        JsonNode list = SimulatorClient.json(client.get("/v1/files").body());
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("has_more").asBoolean()).isFalse();
        assertThat(list.get("data")).extracting(item -> item.get("id").asText()).containsExactly(second, id); // newest first
        assertThat(SimulatorClient.json(client.get("/v1/files?purpose=batch").body()).get("data")).hasSize(1);
        assertThat(SimulatorClient.json(client.get("/v1/files/" + id).body())).isEqualTo(file);
        HttpResponse<byte[]> read = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port()
                        + "/v1/files/" + id + "/content")).header("Authorization", "Bearer " + SimulatorClient.KEY).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(read.body()).isEqualTo(content);

        HttpResponse<String> deleted = client.delete("/v1/files/" + id);
        assertThat(SimulatorClient.json(deleted.body()).get("deleted").asBoolean()).isTrue();
        assertThat(SimulatorClient.json(deleted.body()).get("object").asText()).isEqualTo("file");
        HttpResponse<String> gone = client.get("/v1/files/" + id + "/content");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(SimulatorClient.json(gone.body()).at("/error/message").asText()).isEqualTo("No such File object: " + id);
        assertThat(client.stats().at("/keys/sk-sim-1/ok").asLong()).isEqualTo(8); // 2 uploads and 6 calls after
    }

    @Test
    void eachCallIsOneRequestAndNoTokens() {
        start("--rpm=600", "--tpm=6000", "--tpm-bucket-seconds=1"); // 10 requests, 100 tokens

        HttpResponse<String> uploaded = upload("assistants", "a.txt", "abc".getBytes());
        HttpResponse<String> listed = client.get("/v1/files");

        assertThat(uploaded.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("9");
        assertThat(listed.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("8");
        assertThat(listed.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("100");
    }

    @Test
    void aRefusedUploadIsNotKept() {
        start("--rpm=60"); // capacity 1
        assertThat(upload("batch", "one.jsonl", content(10)).statusCode()).isEqualTo(200);

        HttpResponse<String> refused = upload("batch", "two.jsonl", content(10));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        clock.advanceMillis(1000); // t=1 s: room for the list
        assertThat(SimulatorClient.json(client.get("/v1/files").body()).get("data")).hasSize(1);
    }

    @Test
    void anUploadWithoutItsPartsOrNotMultipartIsA400AndAnUnknownKeyA401() {
        start();

        HttpResponse<String> noPurpose = upload(null, "a.txt", content(10));
        HttpResponse<String> noFile = upload("batch", null, null);
        HttpResponse<String> badPurpose = upload("homework", "a.txt", content(10));
        HttpResponse<String> json = upload("{\"purpose\":\"batch\"}".getBytes(), "application/json");
        HttpResponse<String> stranger = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port()
                        + "/v1/files")).header("Authorization", "Bearer sk-nobody-at-all").header("Content-Type",
                        "multipart/form-data; boundary=" + BOUNDARY).POST(HttpRequest.BodyPublishers.ofByteArray(
                        multipart("batch", "a.txt", content(100_000)))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(SimulatorClient.json(noPurpose.body()).at("/error/param").asText()).isEqualTo("purpose");
        assertThat(SimulatorClient.json(noFile.body()).at("/error/param").asText()).isEqualTo("file");
        assertThat(SimulatorClient.json(badPurpose.body()).at("/error/param").asText()).isEqualTo("purpose");
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(stranger.statusCode()).isEqualTo(401);
        assertThat(client.stats().at("/keys/sk-sim-1/bad_requests").asLong()).isEqualTo(4);
        assertThat(SimulatorClient.json(client.get("/v1/files").body()).get("data")).isEmpty();
    }
}
