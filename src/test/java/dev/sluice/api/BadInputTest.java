package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** Every caller mistake gets a 4xx in OpenAI's error shape, and never reaches the upstream. */
@QuarkusTest
class BadInputTest {

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "malformed JSON               | {\"model\":                                              | invalid_json               | ",
            "trailing garbage             | {\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]} x    | invalid_json               | ",
            "not an object                | [1,2]                                                   | invalid_json               | ",
            "missing model                | {\"messages\":[{\"role\":\"user\"}]}                      | missing_required_parameter | model",
            "model not a string           | {\"model\":5,\"messages\":[{\"role\":\"user\"}]}          | invalid_type               | model",
            "empty model                  | {\"model\":\" \",\"messages\":[{\"role\":\"user\"}]}       | invalid_value              | model",
            "missing messages             | {\"model\":\"m\"}                                         | missing_required_parameter | messages",
            "messages not an array        | {\"model\":\"m\",\"messages\":\"hi\"}                       | invalid_type               | messages",
            "no messages                  | {\"model\":\"m\",\"messages\":[]}                           | empty_array                | messages",
            "message not an object        | {\"model\":\"m\",\"messages\":[\"hi\"]}                     | invalid_type               | messages[0]",
            "message without role         | {\"model\":\"m\",\"messages\":[{\"content\":\"hi\"}]}       | missing_required_parameter | messages[0].role",
            "role not a string            | {\"model\":\"m\",\"messages\":[{\"role\":1}]}               | invalid_type               | messages[0].role",
            "stream not a boolean         | {\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\"}]} | invalid_type | stream",
            "max_tokens a huge float      | {\"model\":\"m\",\"max_tokens\":1e308,\"messages\":[{\"role\":\"user\"}]} | integer_above_max_value | max_tokens",
            "max_tokens negative          | {\"model\":\"m\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\"}]} | integer_below_min_value | max_tokens",
            "max_tokens zero              | {\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\"}]} | integer_below_min_value | max_tokens",
            "max_tokens a string          | {\"model\":\"m\",\"max_tokens\":\"100\",\"messages\":[{\"role\":\"user\"}]} | invalid_type | max_tokens",
            "max_tokens with a fraction   | {\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\"}]} | invalid_type | max_tokens",
            "max_tokens past any model    | {\"model\":\"m\",\"max_tokens\":99999999999,\"messages\":[{\"role\":\"user\"}]} | integer_above_max_value | max_tokens",
            "max_completion_tokens bool   | {\"model\":\"m\",\"max_completion_tokens\":true,\"messages\":[{\"role\":\"user\"}]} | invalid_type | max_completion_tokens",
            "n above 128                  | {\"model\":\"m\",\"n\":129,\"messages\":[{\"role\":\"user\"}]} | integer_above_max_value | n",
            "n beyond a long              | {\"model\":\"m\",\"n\":1000000000000000000000000,\"messages\":[{\"role\":\"user\"}]} | integer_above_max_value | n",
    })
    void rejectsABadChatBodyNamingTheParameter(String description, String body, String code, String param) {
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON).body(body.strip())
                .when().post("/v1/chat/completions")
                .then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo(code))
                .body("error.param", param == null ? nullValue() : equalTo(param));
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void refusesAModelNameLongerThanAnyModelsBeforeItReachesLogsOrLabels() {
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON)
                .body("{\"model\":\"" + "m".repeat(1 << 20) + "\",\"messages\":[{\"role\":\"user\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.code", equalTo("string_above_max_length"))
                .body("error.param", equalTo("model"));
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void rejectsAnEmptyBody() {
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON).body("")
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("error.code", equalTo("invalid_json"));
    }

    @Test
    void embeddingsNeedAnInputAndCompletionsAPrompt() {
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON).body("{\"model\":\"m\"}")
                .when().post("/v1/embeddings")
                .then().statusCode(400).body("error.param", equalTo("input"));
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON).body("{\"model\":\"m\"}")
                .when().post("/v1/completions")
                .then().statusCode(400).body("error.param", equalTo("prompt"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                  ",
            "Bearer              ",
            "'Bearer    '        ",
            "Basic dXNlcjpwYXNz  ",
            "sk-no-scheme        ",
    })
    void rejectsMissingOrEmptyAuthWith401(String authorization) {
        var request = given().contentType(ContentType.JSON).body("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}");
        if (authorization != null && !authorization.isEmpty()) {
            request.header("Authorization", authorization.strip().isEmpty() ? authorization : authorization.strip());
        }
        request.when().post("/v1/chat/completions")
                .then().statusCode(401)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("missing_api_key"));
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void refusesABodyOverTheLimitBeforeReadingIt() {
        byte[] body = new byte[4 * 1024 * 1024 + 1];
        Arrays.fill(body, (byte) ' ');
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON).body(body)
                .when().post("/v1/chat/completions")
                .then().statusCode(413)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("request_too_large"));
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void unknownPathIs404() {
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON).body("{}")
                .when().post("/v1/nope")
                .then().statusCode(404)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("unknown_url"))
                .body("error.message", containsString("POST /v1/nope"));
        given().when().get("/").then().statusCode(404).body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void wrongMethodIs405() {
        given().header("Authorization", "Bearer sk-clumsy")
                .when().put("/v1/chat/completions")
                .then().statusCode(405)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("method_not_allowed"));
        given().header("Authorization", "Bearer sk-clumsy")
                .when().patch("/v1/files/file-1")
                .then().statusCode(405)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("method_not_allowed"));
    }

    @Test
    void wrongContentTypeIs415() {
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.TEXT).body("hello")
                .when().post("/v1/chat/completions")
                .then().statusCode(415)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("unsupported_media_type"));
        given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.URLENC).formParam("model", "m")
                .when().post("/v1/chat/completions")
                .then().statusCode(415);
        assertThat(upstream.requests()).isEmpty();
    }
}
