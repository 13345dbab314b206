package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Sluice's own key goes upstream; callers' tokens only tell them apart. The upstream key allows
 * 120 requests a minute in bursts of 3, for all callers together.
 */
@QuarkusTest
@TestProfile(ManagedModeTest.Managed.class)
class ManagedModeTest {

    static final String MANAGED_KEY = "sk-sluice-managed-0123456789";
    static final String BODY = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    public static class Managed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.upstream.api-key", MANAGED_KEY,
                    "sluice.upstream.rpm", "120",
                    "sluice.upstream.burst", "3");
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    private Response chat(String callerToken) {
        return given().header("Authorization", "Bearer " + callerToken)
                .header("OpenAI-Organization", "org-of-the-caller")
                .header("OpenAI-Beta", "assistants=v2")
                .contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions");
    }

    @Test
    void sendsSluicesOwnKeyUpstreamAndNotTheCallersOrganization() {
        chat("team-a-token").then().statusCode(200);

        assertThat(upstream.requests()).singleElement().satisfies(request -> {
            assertThat(request.headers().get("Authorization")).isEqualTo("Bearer " + MANAGED_KEY);
            assertThat(request.headers().get("OpenAI-Organization")).isNull();
            assertThat(request.headers().get("OpenAI-Beta")).isEqualTo("assistants=v2");
        });
    }

    @Test
    void stillRequiresCallersToIdentifyThemselves() {
        given().contentType(ContentType.JSON).body(BODY).when().post("/v1/chat/completions")
                .then().statusCode(401).body("error.code", equalTo("missing_api_key"));
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void theUpstreamKeyLimitIsSharedByAllCallersAndSaysSo() {
        chat("caller-1").then().statusCode(200);
        chat("caller-2").then().statusCode(200);
        chat("caller-3").then().statusCode(200);

        chat("caller-4").then().statusCode(429)
                .contentType(ContentType.JSON)
                .header("retry-after", "1")         // 500 ms, rounded up to a whole second
                .header("retry-after-ms", "500")    // 120/min: one request every 500 ms
                .header("x-ratelimit-limit-requests", "3")
                .header("x-ratelimit-remaining-requests", "0")
                .header("x-ratelimit-reset-requests", "1.5s")
                .body("error.type", equalTo("requests"))
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.param", nullValue())
                .body("error.message", containsString("upstream key limit"));
        assertThat(upstream.requests()).hasSize(3);

        TestClock.CLOCK.advanceMillis(500); // one token back
        chat("caller-4").then().statusCode(200);
    }

    @Test
    void keepsTheManagedKeyOutOfEveryResponse() {
        upstream.enqueue(TestUpstream.Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}", Map.of()));
        String refusedByUpstream = chat("caller-5").then().statusCode(401).extract().asString();
        String ok = chat("caller-5").then().statusCode(200).extract().asString();
        assertThat(refusedByUpstream + ok).doesNotContain(MANAGED_KEY);
    }
}
