package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

/**
 * Every other /v1 endpoint, relayed as it came, in managed mode: one company key upstream for every
 * caller, so Sluice keeps each caller's objects its own. Files of several MB (over SLUICE_MAX_BODY's 1M
 * here) stream through; SLUICE_MAX_UPLOAD is 8M.
 */
@QuarkusTest
@TestProfile(PassThroughTest.Managed.class)
class PassThroughTest {

    static final String KEY = "sk-company-0123456789";

    public static class Managed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.api-key", KEY,
                    "sluice.max-body", "1M",
                    "sluice.max-upload", "8M",
                    "sluice.caller.burst", "100");
        }
    }

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    static RequestSpecification as(String caller) {
        return given().header("Authorization", "Bearer " + caller);
    }

    static String file(String id) {
        return "{\"id\":\"" + id + "\",\"object\":\"file\",\"bytes\":6291456,\"created_at\":1767225600,\"filename\":\"data.jsonl\","
                + "\"purpose\":\"batch\"}";
    }

    /** Uploads a file of {@code size} bytes as team {@code caller}; the upstream answers it is {@code id}. */
    private byte[] upload(String caller, String id, int size) {
        byte[] content = new byte[size];
        Arrays.fill(content, (byte) 'x');
        upstream.enqueue(Reply.json(200, file(id), Map.of()));
        as(caller).multiPart("purpose", "batch").multiPart("file", "data.jsonl", content, "application/jsonl")
                .when().post("/v1/files").then().statusCode(200).body("id", equalTo(id));
        return content;
    }

    @Test
    void aFileLargerThanAnyJsonBodyStreamsThroughByteForByteWithTheCompanyKey() {
        byte[] content = upload("team-a", "file-big", 6 << 20);

        TestUpstream.RecordedRequest received = upstream.requests().get(0);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/v1/files");
        assertThat(received.headers().get("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(received.headers().get("Content-Type")).startsWith("multipart/form-data; boundary=");
        String body = new String(received.body(), StandardCharsets.ISO_8859_1);
        assertThat(body).contains("name=\"purpose\"").contains("filename=\"data.jsonl\"");
        assertThat(received.body().length).isGreaterThan(content.length);
    }

    @Test
    void aFileIsItsCreatorsOnly() {
        upload("team-a", "file-a1", 1000);
        upstream.reset();

        as("team-b").when().get("/v1/files/file-a1").then().statusCode(404)
                .body("error.message", equalTo("No such object: 'file-a1'.")).body("error.code", equalTo("not_found"));
        as("team-b").when().delete("/v1/files/file-a1").then().statusCode(404);
        as("team-b").when().get("/v1/files/file-a1/content").then().statusCode(404);
        assertThat(upstream.requests()).isEmpty();

        upstream.enqueue(Reply.json(200, file("file-a1"), Map.of()));
        as("team-a").when().get("/v1/files/file-a1").then().statusCode(200).body("id", equalTo("file-a1"));
        assertThat(upstream.requests()).singleElement().satisfies(request -> assertThat(request.path()).isEqualTo("/v1/files/file-a1"));
    }

    @Test
    void aBinaryReplyComesBackByteForByte() {
        upload("team-a", "file-bin", 100);
        byte[] bytes = new byte[70_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        upstream.enqueue((request, vertx) -> request.response().putHeader("content-type", "application/octet-stream")
                .end(io.vertx.core.buffer.Buffer.buffer(bytes)));

        byte[] downloaded = as("team-a").when().get("/v1/files/file-bin/content").then().statusCode(200)
                .header("content-type", "application/octet-stream").extract().asByteArray();

        assertThat(downloaded).isEqualTo(bytes);
    }

    @Test
    void speechComesBackAsTheUpstreamSentIt() {
        byte[] mp3 = new byte[48_000];
        for (int i = 0; i < mp3.length; i++) {
            mp3[i] = (byte) (i % 251);
        }
        upstream.enqueue((request, vertx) -> request.response().putHeader("content-type", "audio/mpeg")
                .end(io.vertx.core.buffer.Buffer.buffer(mp3)));
        String asked = "{\"model\":\"gpt-4o-mini-tts\",\"input\":\"Hello there.\",\"voice\":\"alloy\"}";

        byte[] heard = as("team-a").contentType(ContentType.JSON).body(asked).when().post("/v1/audio/speech").then()
                .statusCode(200).header("content-type", "audio/mpeg").extract().asByteArray();

        assertThat(heard).isEqualTo(mp3);
        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/audio/speech");
            assertThat(request.bodyText()).isEqualTo(asked);
        });
    }

    @Test
    void aListShowsOnlyTheCallersOwnObjects() {
        upload("team-a", "file-mine", 10);
        upload("team-b", "file-theirs", 10);
        upstream.enqueue(Reply.json(200, "{\"object\":\"list\",\"data\":[" + file("file-mine") + "," + file("file-theirs") + ","
                + file("file-made-elsewhere") + "],\"first_id\":\"file-mine\",\"last_id\":\"file-made-elsewhere\",\"has_more\":false}",
                Map.of()));

        as("team-a").queryParam("limit", 3).when().get("/v1/files").then().statusCode(200)
                .body("data.id", contains("file-mine")).body("has_more", equalTo(false)).body("last_id", equalTo("file-made-elsewhere"));

        assertThat(upstream.requests().get(2).path()).isEqualTo("/v1/files");
    }

    @Test
    void aBodyMayReferToTheCallersOwnObjectsOnly() {
        upload("team-a", "file-input", 10);
        String batch = "{\"input_file_id\":\"file-input\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}";

        as("team-b").contentType(ContentType.JSON).body(batch).when().post("/v1/batches").then().statusCode(404)
                .body("error.message", equalTo("No such object: 'file-input'."));

        upstream.enqueue(Reply.json(200, "{\"id\":\"batch_1\",\"object\":\"batch\",\"input_file_id\":\"file-input\",\"status\":\"validating\"}",
                Map.of()));
        as("team-a").contentType(ContentType.JSON).body(batch).when().post("/v1/batches").then().statusCode(200);
        assertThat(upstream.requests().get(1).bodyText()).isEqualTo(batch);

        // the batch is team-a's now, and so is the output file its upstream reports later
        upstream.enqueue(Reply.json(200, "{\"id\":\"batch_1\",\"object\":\"batch\",\"status\":\"completed\","
                + "\"output_file_id\":\"file-output\"}", Map.of()));
        as("team-a").when().get("/v1/batches/batch_1").then().statusCode(200);
        as("team-b").when().get("/v1/batches/batch_1").then().statusCode(404);
        as("team-b").when().get("/v1/files/file-output/content").then().statusCode(404);
        upstream.enqueue(Reply.json(200, file("file-output"), Map.of()));
        as("team-a").when().get("/v1/files/file-output").then().statusCode(200);
    }

    @Test
    void aDeletedObjectIsNobodysAnyMore() {
        upload("team-a", "file-gone", 10);
        upstream.enqueue(Reply.json(200, "{\"id\":\"file-gone\",\"object\":\"file\",\"deleted\":true}", Map.of()));

        as("team-a").when().delete("/v1/files/file-gone").then().statusCode(200).body("deleted", equalTo(true));

        as("team-a").when().get("/v1/files/file-gone").then().statusCode(404);
    }

    @Test
    void anObjectMadeOutsideSluiceIsUnreachableInManagedMode() {
        as("team-a").when().get("/v1/files/file-someone-made-directly").then().statusCode(404);
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void accountLevelEndpointsAreRefusedUnlessThePlanAllowsThem() {
        as("team-a").when().get("/v1/fine_tuning/jobs").then().statusCode(403).body("error.code", equalTo("path_not_allowed"));
        as("team-a").when().get("/v1/organization/usage/completions").then().statusCode(403);
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aBodyOverTheUploadLimitIsRefusedBeforeTheUpstreamSeesIt() {
        byte[] content = new byte[9 << 20];
        as("team-a").multiPart("file", "big.jsonl", content, "application/jsonl").when().post("/v1/files").then().statusCode(413)
                .body("error.code", equalTo("request_too_large"));
        assertThat(upstream.requests()).isEmpty();
    }

    @io.quarkus.test.common.http.TestHTTPResource("/v1/audio/transcriptions")
    java.net.URI transcriptions;

    @Test
    @org.junit.jupiter.api.condition.DisabledIfSystemProperty(named = LambdaProfile.PROPERTY, matches = "true",
            disabledReason = LambdaProfile.NO_SOCKET)
    void aDeclaredLengthOverTheUploadLimitIsRefusedBeforeTheBodyIsRead() throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(transcriptions).header("Authorization", "Bearer team-a")
                        .header("Content-Type", "application/octet-stream")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[9 << 20])).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("request_too_large").contains("8388608 bytes this gateway relays");
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aChunkedBodyIsCountedAsItStreamsAndCutAtTheUploadLimit() {
        java.io.InputStream nineMegabytes = new java.io.ByteArrayInputStream(new byte[9 << 20]);

        as("team-a").contentType("application/octet-stream").body(nineMegabytes).when().post("/v1/audio/transcriptions")
                .then().statusCode(413).body("error.code", equalTo("request_too_large"));

        // the upstream call was reset before its body was complete: the upstream never took it as a request
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aResponseIsReachableByItsCreatorOnlyOnTheUpstreamThatHoldsIt() {
        upstream.enqueue(Reply.json(200, ResponsesApiTest.RESPONSE, Map.of()));
        as("team-a").contentType(ContentType.JSON).body("{\"model\":\"gpt-4o\",\"input\":\"hi\"}").when().post("/v1/responses")
                .then().statusCode(200);
        String id = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b";
        upstream.reset();

        as("team-b").when().get("/v1/responses/" + id).then().statusCode(404);
        as("team-b").contentType(ContentType.JSON).body("{\"model\":\"gpt-4o\",\"input\":\"and?\",\"previous_response_id\":\"" + id + "\"}")
                .when().post("/v1/responses").then().statusCode(404);
        assertThat(upstream.requests()).isEmpty();

        upstream.enqueue(Reply.json(200, ResponsesApiTest.RESPONSE, Map.of()),
                Reply.json(200, "{\"object\":\"list\",\"data\":[],\"has_more\":false}", Map.of()),
                Reply.json(200, ResponsesApiTest.RESPONSE, Map.of()));
        as("team-a").when().get("/v1/responses/" + id).then().statusCode(200).body("id", equalTo(id));
        as("team-a").when().get("/v1/responses/" + id + "/input_items").then().statusCode(200);
        as("team-a").contentType(ContentType.JSON).body("{\"model\":\"gpt-4o\",\"input\":\"and?\",\"previous_response_id\":\"" + id + "\"}")
                .when().post("/v1/responses").then().statusCode(200);
        assertThat(upstream.requests()).extracting(TestUpstream.RecordedRequest::path)
                .containsExactly("/v1/responses/" + id, "/v1/responses/" + id + "/input_items", "/v1/responses");
    }
}
