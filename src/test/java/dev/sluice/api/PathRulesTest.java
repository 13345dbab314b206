package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** A plan that lists its paths ({@code SLUICE_CALLER_PATHS}): chat only, no files, no Responses. */
@QuarkusTest
@TestProfile(PathRulesTest.ChatOnly.class)
class PathRulesTest {

    public static class ChatOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.caller.paths", "/v1/chat/completions,/v1/models");
        }
    }

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    void aPathThePlanDoesNotListIsRefusedBeforeAnyBucketOrUpstream() {
        given().header("Authorization", "Bearer sk-chat-only").multiPart("purpose", "batch")
                .multiPart("file", "a.jsonl", new byte[10], "application/jsonl").when().post("/v1/files").then().statusCode(403)
                .body("error.code", equalTo("path_not_allowed"))
                .body("error.message", equalTo("Your plan does not allow /v1/files through this gateway."));
        given().header("Authorization", "Bearer sk-chat-only").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-4o\",\"input\":\"hi\"}").when().post("/v1/responses").then().statusCode(403);

        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aPathItListsIsServed() {
        given().header("Authorization", "Bearer sk-chat-only").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200);
    }
}
