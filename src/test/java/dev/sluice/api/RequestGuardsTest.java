package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A plan's guards: its deny rules (a phrase, and a pattern that backtracks without end unless bounded),
 * the same request at most twice a minute, and prompts of at most 50 tokens.
 */
@QuarkusTest
@TestProfile(RequestGuardsTest.Guarded.class)
class RequestGuardsTest {

    public static class Guarded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path rules = Files.createTempFile("sluice-deny", ".rules");
                rules.toFile().deleteOnExit();
                Files.writeString(rules, """
                        # test rules
                        codename: "Project Nightjar"
                        backtracking: (.*a){12}x
                        """);
                return Map.of("sluice.caller.deny-file", rules.toString(),
                        "sluice.caller.duplicate-rate", "2/m",
                        "sluice.caller.max-prompt-tokens", "50",
                        "sluice.caller.burst", "100");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    final TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    static String chat(String text) {
        return "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    static ValidatableResponse post(String path, String body) {
        return given().header("Authorization", "Bearer sk-guarded").contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    @Test
    void textADenyRuleMatchesIsRefusedBeforeAnyBucketByTheRulesName() {
        post("/v1/chat/completions", chat("What is project nightjar?")).statusCode(400)
                .body("error.code", equalTo("content_policy_violation"))
                .body("error.message", equalTo("Your request was rejected by this gateway's content rules (rule codename)."));
        post("/v1/responses", "{\"model\":\"gpt-4o\",\"instructions\":\"Talk of Project Nightjar\",\"input\":\"hi\"}").statusCode(400)
                .body("error.code", equalTo("content_policy_violation"));

        assertThat(upstream.requests()).isEmpty();
        // the rule's name is counted, never the text
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("sluice_denied_total{").contains("rule=\"codename\"").doesNotContain("nightjar");
    }

    @Test
    void aPatternThatWouldBacktrackForHoursRefusesAtOnceAndTheInstanceGoesOn() {
        // unbounded, (.*a){12}x on 40 a's takes hours on the event loop
        post("/v1/chat/completions", chat("a".repeat(40))).statusCode(400)
                .body("error.message", containsString("(rule backtracking)"));

        post("/v1/chat/completions", chat("hello")).statusCode(200);
    }

    @Test
    void theSameRequestMoreOftenThanThePlanAllowsIsA429OfItsOwnScope() {
        String body = chat("the same prompt " + UUID.randomUUID());
        post("/v1/chat/completions", body).statusCode(200);
        post("/v1/chat/completions", body).statusCode(200);

        post("/v1/chat/completions", body).statusCode(429)
                .header("x-sluice-limit", "duplicate")
                .body("error.message", containsString("the same request (the same path and body)"));
        // another body, or the same body to another path, is another request
        post("/v1/chat/completions", chat("another prompt " + UUID.randomUUID())).statusCode(200);
        assertThat(upstream.requests()).hasSize(3);
    }

    @Test
    void aPromptOverThePlansTokensIsRefusedBeforeTheUpstreamSeesIt() {
        post("/v1/chat/completions", chat("word ".repeat(100))).statusCode(400)
                .body("error.code", equalTo("prompt_tokens_above_limit"))
                .body("error.message", containsString("more than the 50 your plan allows"));
        post("/v1/chat/completions", chat("a short one")).statusCode(200);

        assertThat(upstream.requests()).hasSize(1);
    }
}
