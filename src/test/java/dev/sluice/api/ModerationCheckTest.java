package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** {@code SLUICE_CALLER_MODERATION=true}: the upstream's moderation sees a request's text before the request goes. */
@QuarkusTest
@TestProfile(ModerationCheckTest.Moderated.class)
class ModerationCheckTest {

    public static class Moderated implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.caller.moderation", "true", "sluice.caller.burst", "100");
        }
    }

    /** OpenAI's moderation object (API reference, "The moderation object"), cut to what matters here. */
    static String moderation(boolean flagged) {
        return "{\"id\":\"modr-0d9740456c391e43\",\"model\":\"omni-moderation-latest\",\"results\":[{\"flagged\":" + flagged
                + ",\"categories\":{\"harassment\":" + flagged + ",\"violence\":false},"
                + "\"category_scores\":{\"harassment\":" + (flagged ? "0.91" : "0.0001") + ",\"violence\":0.0002}}]}";
    }

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    static ValidatableResponse chat(String text) {
        return given().header("Authorization", "Bearer sk-moderated").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")
                .when().post("/v1/chat/completions").then();
    }

    @Test
    void aRequestWhoseTextPassesGoesAfterItsModeration() {
        upstream.enqueue(Reply.json(200, moderation(false), Map.of()), Reply.completion());

        chat("Hello there").statusCode(200).body("choices[0].message.content", equalTo("Hello!"));

        assertThat(upstream.requests()).extracting(TestUpstream.RecordedRequest::path)
                .containsExactly("/v1/moderations", "/v1/chat/completions");
        assertThat(upstream.requests().get(0).bodyText())
                .isEqualTo("{\"model\":\"omni-moderation-latest\",\"input\":[\"Hello there\"]}");
    }

    @Test
    void aFlaggedRequestIsRefusedAndNeverSent() {
        upstream.enqueue(Reply.json(200, moderation(true), Map.of()));

        chat("something hateful").statusCode(400).body("error.code", equalTo("content_policy_violation"))
                .body("error.message", containsString("(harassment)"));

        assertThat(upstream.requests()).extracting(TestUpstream.RecordedRequest::path).containsExactly("/v1/moderations");
    }

    @Test
    void aModerationThatCannotBeHadRefusesTheRequestToo() {
        upstream.enqueue(Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}", Map.of()));

        chat("Hello there").statusCode(503).body("error.code", equalTo("moderation_unavailable"))
                .body("error.message", containsString("the upstream answered 500"));

        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void embeddingsAreNotModerated() {
        upstream.enqueue(Reply.json(200, "{\"object\":\"list\",\"data\":[],\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}", Map.of()));

        given().header("Authorization", "Bearer sk-moderated").contentType(ContentType.JSON)
                .body("{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}").when().post("/v1/embeddings").then().statusCode(200);

        assertThat(upstream.requests()).extracting(TestUpstream.RecordedRequest::path).containsExactly("/v1/embeddings");
    }
}
