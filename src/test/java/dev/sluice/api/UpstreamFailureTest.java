package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.sluice.upstream.TestUpstream.Reply;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** An upstream that does not answer: a hang is a 504 after the timeout (2 s in tests), a dropped connection a 502. */
@QuarkusTest
class UpstreamFailureTest {

    static final String BODY = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM_BODY = "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\"}]}";

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @Test
    void aHangingUpstreamIs504() {
        upstream.enqueue(Reply.hang(), Reply.hang(), Reply.hang()); // every attempt
        given().header("Authorization", "Bearer sk-waiting").contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(504)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("server_error"))
                .body("error.code", equalTo("upstream_timeout"));
    }

    @Test
    void aHangingUpstreamStreamIs504() {
        upstream.enqueue(Reply.hang(), Reply.hang(), Reply.hang()); // every attempt
        given().header("Authorization", "Bearer sk-waiting").contentType(ContentType.JSON).body(STREAM_BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(504)
                .body("error.code", equalTo("upstream_timeout"));
    }

    @Test
    void aDroppedConnectionIs502() {
        upstream.enqueue(Reply.closeConnection(), Reply.closeConnection(), Reply.closeConnection()); // every attempt
        given().header("Authorization", "Bearer sk-waiting").contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(502)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("upstream_unreachable"));
    }

    @Test
    void aDroppedStreamConnectionIs502() {
        upstream.enqueue(Reply.closeConnection(), Reply.closeConnection(), Reply.closeConnection()); // every attempt
        given().header("Authorization", "Bearer sk-waiting").contentType(ContentType.JSON).body(STREAM_BODY)
                .when().post("/v1/chat/completions")
                .then().statusCode(502)
                .body("error.code", equalTo("upstream_unreachable"));
    }

    @Test
    void anUpstreamThatBreaksOffMidStreamEndsTheCallersStreamWithAnErrorEvent() {
        String first = TestUpstream.streamChunks().get(0);
        upstream.enqueue(Reply.streamThenDrop(first));

        String relayed = given().header("Authorization", "Bearer sk-mid-stream").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(200).extract().asString();

        assertThat(relayed).isEqualTo(first + RequestRelay.STREAM_BROKE_OFF_EVENT);
        assertThat(upstream.requests()).as("never retried after the first byte").hasSize(1);
    }
}
