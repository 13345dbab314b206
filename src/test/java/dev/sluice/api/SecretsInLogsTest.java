package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.sluice.upstream.TestUpstream.Reply;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives every kind of outcome with recognisable secrets, then searches everything that was logged
 * (messages, MDC fields, exceptions) for them: no upstream key, no bearer token, no prompt text.
 */
@QuarkusTest
@TestProfile(ManagedModeTest.Managed.class)
class SecretsInLogsTest {

    static final String CALLER_TOKEN = "sk-caller-SECRET-7f3a9c";
    static final String PROMPT = "PROMPT-SECRET-the-launch-code-is-0000";

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @Test
    void noKeyTokenOrPromptEverReachesTheLog() {
        upstream.reset();
        TestClock.refillEverything();
        String body = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
        String streamBody = body.replace("{\"model\"", "{\"stream\":true,\"model\"");
        try (TestLogCapture log = TestLogCapture.install()) {
            upstream.enqueue(Reply.completion(), Reply.stream(1, TestUpstream.streamChunks().toArray(String[]::new)),
                    Reply.json(500, "{\"error\":{\"message\":\"boom\"}}", Map.of()), Reply.closeConnection());
            for (String payload : List.of(body, streamBody, body, body)) { // ok, stream, 500, 502
                given().header("Authorization", "Bearer " + CALLER_TOKEN).contentType(ContentType.JSON).body(payload)
                        .when().post("/v1/chat/completions").then().statusCode(org.hamcrest.Matchers.greaterThan(0));
            }
            // 429s from the upstream-key bucket (burst 3)
            for (int i = 0; i < 3; i++) {
                given().header("Authorization", "Bearer " + CALLER_TOKEN).contentType(ContentType.JSON).body(body)
                        .when().post("/v1/chat/completions");
            }
            // bad input carrying the secrets
            given().header("Authorization", "Basic " + CALLER_TOKEN).contentType(ContentType.JSON).body(body)
                    .when().post("/v1/chat/completions").then().statusCode(401);
            given().header("Authorization", "Bearer " + CALLER_TOKEN).contentType(ContentType.JSON)
                    .body("{\"model\":\"" + PROMPT + "\",\"messages\":\"" + PROMPT + "\"")
                    .when().post("/v1/chat/completions").then().statusCode(400);
            given().header("Authorization", "Bearer " + CALLER_TOKEN).contentType(ContentType.TEXT).body(PROMPT)
                    .when().post("/v1/chat/completions").then().statusCode(415);
            given().header("Authorization", "Bearer " + CALLER_TOKEN)
                    .when().get("/v1/" + "nope").then().statusCode(404);

            List<String> lines = log.lines();
            assertThat(lines).as("the request log was captured").anyMatch(line -> line.contains("dev.sluice.request"));
            assertThat(lines).anyMatch(line -> line.contains("refused by upstream-requests"));
            assertThat(String.join("\n", lines))
                    .doesNotContain(ManagedModeTest.MANAGED_KEY)
                    .doesNotContain(CALLER_TOKEN)
                    .doesNotContain("SECRET");
        }
    }
}
