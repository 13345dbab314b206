package dev.sluice.api;

import dev.sluice.keys.CallerKeys;
import dev.sluice.upstream.SecondUpstreamResource;
import dev.sluice.upstream.TestProxy;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Several named upstreams in managed mode: upstreams a and b serve gpt-test* (on two servers), one
 * more on the second server is reserved for the callers of one plan, and one reached through an egress proxy serves
 * only proxied-model. Each upstream's calls carry its own key, so the key tells which upstream a
 * server's request came through.
 */
@QuarkusTest
@TestProfile(UpstreamPoolTest.Pool.class)
class UpstreamPoolTest {

    static final String PINNED_CALLER = "sk-pinned-caller";

    public static class Pool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("sluice.upstreams.a.url", "${sluice.upstream.url}"),
                    Map.entry("sluice.upstreams.a.api-key", "sk-a"),
                    Map.entry("sluice.upstreams.a.models", "gpt-test*"),
                    Map.entry("sluice.upstreams.b.url", "${test.second-upstream.url}"),
                    Map.entry("sluice.upstreams.b.api-key", "sk-b"),
                    Map.entry("sluice.upstreams.b.models", "gpt-test*"),
                    Map.entry("sluice.upstreams.pinned.url", "${test.second-upstream.url}"),
                    Map.entry("sluice.upstreams.pinned.api-key", "sk-pinned"),
                    // the upstream "pinned" is for the callers of the plan "pinned" alone: one key here
                    Map.entry("sluice.plans.pinned.upstreams", "pinned"),
                    Map.entry("sluice.keys.pinned.sha256", CallerKeys.hash(PINNED_CALLER)),
                    Map.entry("sluice.keys.pinned.plan", "pinned"),
                    Map.entry("sluice.caller.upstreams", "a,b,viaproxy"),
                    Map.entry("sluice.upstreams.viaproxy.url", "${sluice.upstream.url}"),
                    Map.entry("sluice.upstreams.viaproxy.api-key", "sk-proxied"),
                    Map.entry("sluice.upstreams.viaproxy.models", "proxied-model"),
                    Map.entry("sluice.upstreams.viaproxy.proxy", "http://egress:s3cret@127.0.0.1:${test.proxy.port}"),
                    Map.entry("sluice.upstream.breaker-failures", "2"),
                    // the failures below are one caller's: every one counts (CircuitBreakerAndBulkheadTest has the default)
                    Map.entry("sluice.upstream.breaker-callers", "1"),
                    // long enough that the open phase below ends well within it, even on a slow, busy box
                    Map.entry("sluice.upstream.breaker-delay", "3s"),
                    Map.entry("sluice.retry.budget-min-retries", "1000"),
                    Map.entry("sluice.caller.rate", "1000/s"),
                    Map.entry("sluice.caller.burst", "1000"));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecondUpstreamResource.class));
        }
    }

    private static final Reply OVERLOADED = Reply.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", Map.of());

    TestUpstream first = TestUpstreamResource.upstream();
    TestUpstream second = SecondUpstreamResource.upstream();
    TestProxy proxy = SecondUpstreamResource.proxy();

    @BeforeEach
    void reset() {
        first.reset();
        second.reset();
        proxy.reset();
        TestClock.refillEverything();
    }

    @Test
    void aResponseCreatedOnOneUpstreamIsReachedThereByItsIdAndItsFollowUps() {
        // whichever upstream serves the create, the response's later calls must go to it: only it knows the id
        first.enqueue(Reply.json(200, ResponsesApiTest.RESPONSE, Map.of()));
        second.enqueue(Reply.json(200, ResponsesApiTest.RESPONSE, Map.of()));
        given().header("Authorization", "Bearer sk-responder").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"input\":\"hi\"}").when().post("/v1/responses").then().statusCode(200);
        TestUpstream holder = first.requests().isEmpty() ? second : first;
        TestUpstream other = holder == first ? second : first;
        String key = holder == first ? "Bearer sk-a" : "Bearer sk-b";
        String id = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b";
        first.reset();
        second.reset();

        for (int i = 0; i < 4; i++) {
            holder.enqueue(Reply.json(200, ResponsesApiTest.RESPONSE, Map.of()));
            given().header("Authorization", "Bearer sk-responder").when().get("/v1/responses/" + id).then().statusCode(200);
        }
        holder.enqueue(Reply.json(200, ResponsesApiTest.RESPONSE, Map.of()));
        given().header("Authorization", "Bearer sk-responder").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"input\":\"and?\",\"previous_response_id\":\"" + id + "\"}")
                .when().post("/v1/responses").then().statusCode(200);

        assertThat(holder.requests()).hasSize(5).allSatisfy(request -> assertThat(request.headers().get("Authorization")).isEqualTo(key));
        assertThat(other.requests()).isEmpty();
    }

    private static ValidatableResponse chat(String token, String model) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then();
    }

    /** The requests a server got through the upstream with this key. */
    private static long through(TestUpstream server, String key) {
        return server.requests().stream().filter(r -> ("Bearer " + key).equals(r.headers().get("Authorization"))).count();
    }

    private static String modelList(String... ids) {
        StringBuilder data = new StringBuilder();
        for (String id : ids) {
            data.append(data.length() == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\",\"object\":\"model\"}");
        }
        return "{\"object\":\"list\",\"data\":[" + data + "]}";
    }

    @Test
    void theModelListIsTheUnionOfWhatEachUpstreamOpenToTheCallerServes() {
        // a and viaproxy both live on the first server, b on the second; each lists more than it is configured to serve
        String firstServersList = modelList("gpt-test-a", "proxied-model", "gpt-unserved");
        first.enqueue(Reply.json(200, firstServersList, Map.of()), Reply.json(200, firstServersList, Map.of()));
        second.enqueue(Reply.json(200, modelList("gpt-test-b", "gpt-test-a"), Map.of()));

        given().header("Authorization", "Bearer sk-lister").when().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", org.hamcrest.Matchers.containsInAnyOrder("gpt-test-a", "gpt-test-b", "proxied-model"));
        assertThat(first.requests()).hasSize(2);
        assertThat(second.requests()).hasSize(1);
    }

    @Test
    void anUpstreamThatCannotListLeavesTheOthersList() {
        String firstServersList = modelList("gpt-test-a", "proxied-model");
        first.enqueue(Reply.json(200, firstServersList, Map.of()), Reply.json(200, firstServersList, Map.of()));
        second.enqueue(OVERLOADED);

        given().header("Authorization", "Bearer sk-lister").when().get("/v1/models").then().statusCode(200)
                .body("data.id", org.hamcrest.Matchers.containsInAnyOrder("gpt-test-a", "proxied-model"));
    }

    @Test
    void requestsSpreadOverTheUpstreamsEachWithItsOwnKey() {
        for (int i = 0; i < 30; i++) {
            chat("sk-spread", "gpt-test").statusCode(200);
        }

        assertThat(through(first, "sk-a")).isPositive();
        assertThat(through(second, "sk-b")).isPositive();
        assertThat(through(first, "sk-a") + through(second, "sk-b")).isEqualTo(30);
        // the pinned and proxied upstreams are not for this caller or this model
        assertThat(through(second, "sk-pinned") + through(first, "sk-proxied")).isZero();
        assertThat(first.requests()).allSatisfy(r -> assertThat(r.headers().get("Authorization")).isEqualTo("Bearer sk-a"));
    }

    private static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void aFailedAttemptMovesToTheOtherUpstream() {
        first.enqueue(OVERLOADED);
        second.enqueue(OVERLOADED);
        double failoversBefore = MetricsTest.sample(metrics(), "sluice_failovers_total");

        chat("sk-failover", "gpt-test").statusCode(200);
        // the first retry went to the other upstream; the second to either (both had failed once)
        assertThat(MetricsTest.sample(metrics(), "sluice_failovers_total") - failoversBefore).isBetween(1.0, 2.0);

        // two 503s, one on each upstream, then a success: the retry after the first 503 went to the
        // other upstream, not back to the one that had just failed
        assertThat(first.requests()).isNotEmpty();
        assertThat(second.requests()).isNotEmpty();
        assertThat(first.requests().size() + second.requests().size()).isEqualTo(3);
    }

    @Test
    void aRateLimitedUpstreamIsNotCalledAgainBeforeItsRetryAfter() {
        Reply slowDown = Reply.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\"}}",
                Map.of("retry-after", "60"));
        first.enqueue(slowDown, slowDown, slowDown);

        for (int i = 0; i < 50 && first.requests().isEmpty(); i++) {
            chat("sk-storm", "gpt-test").statusCode(200); // the 429 is retried on b at once
        }
        assertThat(first.requests()).hasSize(1);
        for (int i = 0; i < 20; i++) {
            chat("sk-storm", "gpt-test").statusCode(200);
        }

        assertThat(first.requests()).hasSize(1);
        // the pause is per model: another model may still go to a
        first.reset();
        for (int i = 0; i < 50 && first.requests().isEmpty(); i++) {
            chat("sk-storm", "gpt-test-2").statusCode(200);
        }
        assertThat(first.requests()).singleElement()
                .satisfies(r -> assertThat(r.bodyText()).contains("gpt-test-2"));
    }

    @Test
    void anUpstreamThatKeepsFailingIsSkippedOnceItsBreakerOpensAndReturnsAfterwards() {
        first.enqueue(Reply.closeConnection(), Reply.closeConnection());

        for (int i = 0; i < 50 && first.requests().size() < 2; i++) {
            chat("sk-breaker", "gpt-test").statusCode(200); // every failure on a moves to b: the caller sees none
        }
        assertThat(first.requests()).hasSize(2);
        for (int i = 0; i < 10; i++) {
            chat("sk-breaker", "gpt-test").statusCode(200);
        }
        assertThat(first.requests()).as("nothing reaches a while its breaker is open").hasSize(2);
        assertThat(MetricsTest.sample(metrics(), "sluice_upstream_breaker_state", "sluice_upstream=\"a\"", "state=\"open\""))
                .as("the metrics show a's breaker open").isEqualTo(1);

        // after the breaker's delay a probe goes to a, succeeds, and a takes traffic again
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            chat("sk-breaker", "gpt-test").statusCode(200);
            return first.requests().size() >= 4;
        });
    }

    @Test
    void aPinnedCallerUsesOnlyItsUpstreamsAndOthersNeverUseThem() {
        for (int i = 0; i < 5; i++) {
            chat(PINNED_CALLER, "gpt-test").statusCode(200);
            chat("sk-unpinned", "gpt-test").statusCode(200);
        }

        assertThat(through(second, "sk-pinned")).isEqualTo(5);
        assertThat(through(first, "sk-a") + through(second, "sk-b")).isEqualTo(5);
    }

    @Test
    void theModelChoosesTheUpstreamAndAnUnservedModelIsNotFound() {
        chat("sk-models", "proxied-model").statusCode(200);

        assertThat(through(first, "sk-proxied")).isEqualTo(1);
        String credentials = Base64.getEncoder().encodeToString("egress:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(proxy.forwarded()).singleElement().satisfies(forwarded -> {
            assertThat(forwarded.uri()).startsWith("http://127.0.0.1:").endsWith("/v1/chat/completions");
            assertThat(forwarded.proxyAuthorization()).isEqualTo("Basic " + credentials);
        });

        chat("sk-models", "unknown-model").statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"));
    }

    @Test
    void modelsAreListedByTheFirstUpstreamOpenToTheCaller() {
        given().header("Authorization", "Bearer " + PINNED_CALLER).when().get("/v1/models").then().statusCode(200);
        given().header("Authorization", "Bearer sk-lister").when().get("/v1/models").then().statusCode(200);

        assertThat(through(second, "sk-pinned")).isEqualTo(1);
        assertThat(through(first, "sk-a")).isEqualTo(1);
    }

    @Test
    void aStreamGoesThroughTheProxyToo() {
        given().header("Authorization", "Bearer sk-models-stream").contentType(ContentType.JSON)
                .body("{\"model\":\"proxied-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200);

        assertThat(proxy.forwarded()).hasSize(1);
        assertThat(through(first, "sk-proxied")).isEqualTo(1);
    }
}
