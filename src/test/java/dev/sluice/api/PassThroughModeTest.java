package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.sluice.upstream.TestUpstream.Reply;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** No upstream key configured: each caller's own key goes upstream, and identifies the caller. */
@QuarkusTest
class PassThroughModeTest {

    /** Unknown fields, odd spacing and non-ASCII text must all reach the upstream untouched. */
    static final String BODY = "{\"model\":\"gpt-test\",  \"messages\":[{\"role\":\"user\",\"content\":\"h\u00e9llo \u2603\"}],"
            + "\"some_future_field\":{\"x\":[1,2.50,null]}}";

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    void relaysTheBodyUnchangedWithTheCallersKeyAndRelaysTheReply() {
        given().header("Authorization", "Bearer sk-caller-one")
                .header("User-Agent", "OpenAI/Python 1.99.0")
                .header("OpenAI-Organization", "org-123")
                .header("OpenAI-Project", "proj-9")
                .contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .header("x-request-id", "req-test-1")
                .header("openai-processing-ms", "12")
                .header("x-ratelimit-remaining-requests", "499")
                .body(equalTo(TestUpstream.COMPLETION));

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/v1/chat/completions");
            assertThat(request.bodyText()).isEqualTo(BODY);
            assertThat(request.headers().get("Authorization")).isEqualTo("Bearer sk-caller-one");
            assertThat(request.headers().get("User-Agent")).isEqualTo("OpenAI/Python 1.99.0");
            assertThat(request.headers().get("OpenAI-Organization")).isEqualTo("org-123");
            assertThat(request.headers().get("OpenAI-Project")).isEqualTo("proj-9");
            assertThat(request.headers().get("Content-Type")).startsWith("application/json");
        });
    }

    @Test
    void relaysEmbeddingsAndCompletionsToTheirOwnPaths() {
        given().header("Authorization", "Bearer sk-caller-two").contentType(ContentType.JSON)
                .body("{\"model\":\"text-embedding-test\",\"input\":\"hi\"}")
                .when().post("/v1/embeddings").then().statusCode(200);
        given().header("Authorization", "Bearer sk-caller-two").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-instruct-test\",\"prompt\":\"hi\"}")
                .when().post("/v1/completions").then().statusCode(200);

        assertThat(upstream.requests()).extracting(TestUpstream.RecordedRequest::path)
                .containsExactly("/v1/embeddings", "/v1/completions");
    }

    @Test
    void passesModelsThrough() {
        upstream.enqueue(Reply.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-test\",\"object\":\"model\"}]}",
                Map.of()));

        given().header("Authorization", "Bearer sk-caller-three")
                .when().get("/v1/models")
                .then().statusCode(200)
                .body("data[0].id", equalTo("gpt-test"));

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.path()).isEqualTo("/v1/models");
            assertThat(request.headers().get("Authorization")).isEqualTo("Bearer sk-caller-three");
        });
    }

    @Test
    void passesUpstreamErrorsThroughAsTheyAre() {
        String error = "{\"error\":{\"message\":\"Invalid model\",\"type\":\"invalid_request_error\",\"param\":\"model\",\"code\":null}}";
        Reply overloaded = Reply.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}",
                Map.of("set-cookie", "upstream-only=1"));
        // a 400 is never retried; a 503 is, so it reaches the caller once every attempt got it
        upstream.enqueue(Reply.json(400, error, Map.of("x-request-id", "req-bad")), overloaded, overloaded, overloaded);

        given().header("Authorization", "Bearer sk-caller-four").contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(400).header("x-request-id", "req-bad").body(equalTo(error));
        given().header("Authorization", "Bearer sk-caller-four").contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(503).header("set-cookie", nullValue()).body("error.message", equalTo("overloaded"));
    }
}
