package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** The default per-caller limit: 5 requests a second, bursts of 5. The test clock stands still. */
@QuarkusTest
class CallerLimitTest {

    static final String BODY = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    private ValidatableResponse chat(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions").then();
    }

    @Test
    void refusesTheCallerPastItsBurstWithOpenAisHeadersAndBody() {
        for (int i = 0; i < 5; i++) {
            chat("sk-busy-caller").statusCode(200);
        }

        chat("sk-busy-caller").statusCode(429)
                .contentType(ContentType.JSON)
                .header("retry-after", "1")
                .header("retry-after-ms", "200")
                .header("x-ratelimit-limit-requests", "5")
                .header("x-ratelimit-remaining-requests", "0")
                .header("x-ratelimit-reset-requests", "1s")
                .body("error.type", equalTo("requests"))
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.param", nullValue())
                .body("error.message", containsString("caller limit"))
                .body("error.message", containsString("try again in 200ms"));

        assertThat(upstream.requests()).as("a refused request never reaches the upstream").hasSize(5);
    }

    @Test
    void callersHaveTheirOwnBuckets() {
        for (int i = 0; i < 5; i++) {
            chat("sk-first").statusCode(200);
        }
        chat("sk-first").statusCode(429);
        chat("sk-second").statusCode(200);
    }

    @Test
    void tokensComeBackWithTime() {
        for (int i = 0; i < 5; i++) {
            chat("sk-patient").statusCode(200);
        }
        chat("sk-patient").statusCode(429);

        TestClock.CLOCK.advanceMillis(200); // t=200ms: one token
        chat("sk-patient").statusCode(200);
        chat("sk-patient").statusCode(429);
    }

    @Test
    void badRequestsAreNotCharged() {
        for (int i = 0; i < 10; i++) {
            given().header("Authorization", "Bearer sk-clumsy").contentType(ContentType.JSON).body("{\"model\":")
                    .when().post("/v1/chat/completions").then().statusCode(400);
        }
        for (int i = 0; i < 5; i++) {
            chat("sk-clumsy").statusCode(200);
        }
    }

    @Test
    void modelsIsNotCountedAgainstTheCaller() {
        for (int i = 0; i < 8; i++) {
            given().header("Authorization", "Bearer sk-lister").when().get("/v1/models").then().statusCode(200);
        }
        chat("sk-lister").statusCode(200);
    }
}
