package dev.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.metrics.EmfPublisher;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics at /q/metrics after scripted traffic: each request, refusal, retry, pause and token count
 * moves the series it should, by as much as it should, with the GenAI conventions' names and buckets.
 */
@QuarkusTest
@TestProfile(MetricsTest.Metered.class)
class MetricsTest {

    public static class Metered implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "sluice.upstream.api-key", "sk-metrics",
                    "sluice.upstream.rpm", "600",
                    "sluice.upstream.burst", "50",
                    "sluice.upstream.tpm", "1000000",
                    "sluice.caller.rate", "1/h",
                    "sluice.caller.burst", "3",
                    "sluice.metrics.max-models", "2",
                    "sluice.metrics.plan-label", "true");
        }
    }

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeEach
    void reset() {
        upstream.reset();
        TestClock.refillEverything();
    }

    private static ValidatableResponse chat(String caller, String model) {
        return given().header("Authorization", "Bearer " + caller).contentType(ContentType.JSON)
                .body("{\"model\":\"" + model + "\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then();
    }

    /** The samples of the Prometheus text, one per line: {@code name{labels} value}. */
    private static String scrape() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the one sample named {@code name} whose labels include every one given ({@code key="value"}); 0 when none. */
    static double sample(String text, String name, String... labels) {
        double total = 0;
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(text);
        while (matcher.find()) {
            String set = matcher.group(1) == null ? "" : matcher.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= set.contains(label);
            }
            if (all) {
                total += Double.parseDouble(matcher.group(2));
            }
        }
        return total;
    }

    @Test
    void aServedRequestCountsItsDurationItsAttemptAndItsTokens() {
        String before = scrape();
        chat("sk-metrics-a", "gpt-test").statusCode(200);
        String after = scrape();

        String[] served = {"gen_ai_operation_name=\"chat\"", "gen_ai_request_model=\"gpt-test\"", "error_type=\"\"", "plan=\"default\""};
        assertThat(delta(before, after, "gen_ai_server_request_duration_seconds_count", served)).isEqualTo(1);
        // the conventions' boundaries, 10 ms to 81.92 s
        assertThat(after).contains("gen_ai_server_request_duration_seconds_bucket{").contains("le=\"0.01\"").contains("le=\"81.92\"");
        assertThat(delta(before, after, "gen_ai_client_operation_duration_seconds_count", "server_address=\"127.0.0.1\"",
                "sluice_upstream=\"default\"", "error_type=\"\"")).isEqualTo(1);
        assertThat(delta(before, after, "gen_ai_client_token_usage_sum", "gen_ai_token_type=\"input\"")).isEqualTo(9);
        assertThat(delta(before, after, "gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"")).isEqualTo(3);
        assertThat(after).contains("gen_ai_client_token_usage_bucket{").contains("le=\"6.7108864E7\"");
        assertThat(delta(before, after, "sluice_requests_total", "outcome=\"admitted\"")).isEqualTo(1);
        if (!Boolean.getBoolean(LambdaProfile.PROPERTY)) { // the lambda build has no HTTP server, whose metric this is
            // Quarkus's own, for the model calls' route as for its resources: the path, not a template of another resource
            assertThat(delta(before, after, "http_server_requests_seconds_count", "method=\"POST\"", "uri=\"/v1/chat/completions\"",
                    "status=\"200\"")).isEqualTo(1);
        }
        assertThat(delta(before, after, "sluice_upstream_attempts_total", "status=\"200\"")).isEqualTo(1);
        assertThat(delta(before, after, "sluice_wait_seconds_count")).isEqualTo(1);
        assertThat(delta(before, after, "sluice_store_operation_seconds_count", "operation=\"admit\"", "outcome=\"ok\"")).isEqualTo(1);
        // reserved: the prompt's count plus max_tokens 20; used: 12
        assertThat(delta(before, after, "sluice_tokens_settled_total")).isEqualTo(12);
        assertThat(delta(before, after, "sluice_tokens_reserved_total")).isGreaterThanOrEqualTo(20);
        assertThat(sample(after, "sluice_upstream_capacity_left", "sluice_upstream=\"default\"", "unit=\"requests\"")).isPositive();
        assertThat(sample(after, "sluice_store_up")).isEqualTo(1);
        assertThat(sample(after, "sluice_upstream_breaker_state", "sluice_upstream=\"default\"", "state=\"closed\"")).isEqualTo(1);
        assertThat(sample(after, "sluice_upstream_breaker_state", "sluice_upstream=\"default\"", "state=\"open\"")).isZero();
    }

    @Test
    void aRefusalCountsItsScopeAndNoUpstreamAttempt() {
        for (int i = 0; i < 3; i++) {
            chat("sk-metrics-b", "gpt-test").statusCode(200);
        }
        String before = scrape();
        chat("sk-metrics-b", "gpt-test").statusCode(429);
        String after = scrape();

        assertThat(delta(before, after, "sluice_refusals_total", "scope=\"caller\"", "plan=\"default\"")).isEqualTo(1);
        assertThat(delta(before, after, "sluice_requests_total", "outcome=\"refused\"")).isEqualTo(1);
        assertThat(delta(before, after, "gen_ai_server_request_duration_seconds_count", "error_type=\"429\"")).isEqualTo(1);
        assertThat(delta(before, after, "sluice_upstream_attempts_total")).isZero();
    }

    @Test
    void aRetryAndAnUpstreamPauseAreCounted() {
        upstream.enqueue(Reply.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", Map.of()));
        String before = scrape();
        chat("sk-metrics-c", "gpt-test").statusCode(200);
        String afterRetry = scrape();
        assertThat(delta(before, afterRetry, "sluice_upstream_attempts_total", "status=\"503\"")).isEqualTo(1);
        assertThat(delta(before, afterRetry, "sluice_upstream_attempts_total", "status=\"200\"")).isEqualTo(1);
        assertThat(delta(before, afterRetry, "sluice_retries_total", "sluice_upstream=\"default\"")).isEqualTo(1);
        assertThat(delta(before, afterRetry, "sluice_failovers_total")).as("one upstream: nowhere else to go").isZero();
        assertThat(delta(before, afterRetry, "gen_ai_client_operation_duration_seconds_count", "error_type=\"503\"")).isEqualTo(1);

        upstream.enqueue(Reply.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\"}}",
                Map.of("retry-after-ms", "200")));
        chat("sk-metrics-c", "gpt-test");
        assertThat(delta(afterRetry, scrape(), "sluice_upstream_cooldowns_total", "sluice_upstream=\"default\"")).isEqualTo(1);
    }

    @Test
    void modelsBeyondTheBoundAreOtherAndAStreamCountsItsFirstToken() {
        chat("sk-metrics-d", "gpt-test").statusCode(200);
        chat("sk-metrics-d", "gpt-second").statusCode(200);
        TestClock.refillEverything();
        String before = scrape();
        chat("sk-metrics-d", "gpt-third-of-many").statusCode(200);
        String after = scrape();
        assertThat(delta(before, after, "gen_ai_server_request_duration_seconds_count", "gen_ai_request_model=\"other\"")).isEqualTo(1);
        assertThat(after).doesNotContain("gpt-third-of-many");

        given().header("Authorization", "Bearer sk-metrics-d").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200);
        assertThat(delta(after, scrape(), "gen_ai_server_time_to_first_token_seconds_count", "gen_ai_request_model=\"gpt-test\""))
                .isEqualTo(1);
    }

    @Test
    void noKeyCallerOrPromptIsALabel() {
        chat("sk-metrics-secret-caller", "gpt-test").statusCode(200);
        assertThat(scrape()).doesNotContain("sk-metrics-secret-caller").doesNotContain("caller=").doesNotContain("\"hi\"");
    }

    @Test
    void everyMetricTheExampleAlertRulesNameIsExposed() throws Exception {
        chat("sk-metrics-e", "gpt-test").statusCode(200);
        for (int i = 0; i < 3; i++) {
            chat("sk-metrics-e", "gpt-test");
        }
        String scraped = scrape();
        String rules = java.nio.file.Files.readString(java.nio.file.Path.of("deploy/prometheus/sluice-alerts.yaml"));
        Matcher names = Pattern.compile("\\b((?:sluice|gen_ai|jvm)_[a-z_]+)\\b").matcher(rules);
        int checked = 0;
        while (names.find()) {
            if (names.group(1).equals("sluice_upstream")) {
                continue; // a label, in by (...)
            }
            assertThat(scraped).as(names.group(1)).containsPattern("(?m)^" + names.group(1) + "[{ ]");
            checked++;
        }
        assertThat(checked).isGreaterThan(8);
    }

    @Inject
    EmfPublisher emf;

    @Test
    void theEmfLinesCarryWhatMovedSinceTheLastOnes() throws Exception {
        emf.lines(0); // what earlier tests moved
        chat("sk-metrics-f", "gpt-test").statusCode(200);

        List<JsonNode> lines = new ArrayList<>();
        for (String line : emf.lines(1_767_225_600_000L)) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("outcome").asText()).isEqualTo("admitted");
            assertThat(line.path("sluice_requests_total").asDouble()).isEqualTo(1);
            assertThat(line.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("Sluice");
        });
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("gen_ai_token_type").asText()).isEqualTo("input");
            assertThat(line.path("gen_ai_client_token_usage_sum").asDouble()).isEqualTo(9);
        });
        assertThat(lines).anySatisfy(line -> assertThat(line.path("sluice_store_up").asDouble()).isEqualTo(1));
        // nothing moved since: no counter, only the gauges
        assertThat(emf.lines(1_767_225_660_000L)).noneMatch(line -> line.contains("_total\":"));
    }

    private static double delta(String before, String after, String name, String... labels) {
        return sample(after, name, labels) - sample(before, name, labels);
    }
}
