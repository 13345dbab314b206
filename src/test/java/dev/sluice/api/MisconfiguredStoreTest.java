package dev.sluice.api;

import dev.sluice.limit.infinispan.InfinispanTestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Sluice pointed at an Infinispan server that is up but not set up for it (node 7 of
 * deploy/local/infinispan.sh): first a stock server (infinispan-bare.xml, no Sluice task), then one
 * with the cache but without the task, then one set up properly. Each time the store is checked again
 * (200 ms after the last check here, by the test clock), and each state is loud: 503 {@code store_misconfigured}, readiness down with
 * what is missing, one ERROR line per change; then service as usual.
 */
@QuarkusTest
@TestProfile(MisconfiguredStoreTest.Bare.class)
class MisconfiguredStoreTest {

    static final int NODE = 7;

    public static class Bare implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            startNode(Map.of("INFINISPAN_CONFIG", "infinispan-bare.xml", "INFINISPAN_TASK", "0"));
            return Map.of("sluice.store", "infinispan",
                    "sluice.store-retry-interval", "200ms",
                    "quarkus.infinispan-client.hosts", InfinispanTestServer.HOST + ":" + (11222 + (NODE - 1) * 100),
                    "quarkus.infinispan-client.username", InfinispanTestServer.USERNAME,
                    "quarkus.infinispan-client.password", InfinispanTestServer.PASSWORD);
        }
    }

    static void startNode(Map<String, String> environment) {
        InfinispanTestServer.script(Map.of(), "stop", Integer.toString(NODE));
        InfinispanTestServer.script(environment, "start", Integer.toString(NODE));
    }

    @AfterAll
    static void stopNode() {
        InfinispanTestServer.script(Map.of(), "stop", Integer.toString(NODE));
    }

    /** A chat request, a second after the last one: time stands still in tests, and the store is checked again after 200 ms of it. */
    private static ValidatableResponse chat() {
        TestClock.CLOCK.advanceSeconds(1);
        return given().header("Authorization", "Bearer sk-misconfigured").contentType(ContentType.JSON)
                .body(CallerLimitTest.BODY).when().post("/v1/chat/completions").then();
    }

    private static void misconfiguredWith(String missing) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> chat().statusCode(503)
                .header("retry-after", "10")
                .body("error.code", equalTo("store_misconfigured"))
                .body("error.type", equalTo("server_error")));
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'bucket-store' }.data.misconfigured", equalTo("the store has " + missing));
    }

    @Test
    void aStoreWithoutSluicesCacheOrTaskIsLoudUntilItIsSetUpThenServesAsUsual() {
        try (TestLogCapture log = TestLogCapture.install()) {
            misconfiguredWith("no cache 'sluice-buckets'");
            chat().statusCode(503); // still the same state: no second log line for it

            startNode(Map.of("INFINISPAN_TASK", "0")); // the cache now, but no task
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                chat().statusCode(503);
                given().when().get("/q/health/ready").then()
                        .body("checks.find { it.name == 'bucket-store' }.data.misconfigured",
                                equalTo("the store has no server task 'sluice-admit'"));
            });

            startNode(Map.of()); // set up as it should be
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> chat().statusCode(200));
            given().when().get("/q/health/ready").then().statusCode(200);

            List<String> store = log.lines().stream().filter(line -> line.startsWith("dev.sluice.store")).toList();
            // each state is said once, however many requests met it
            assertThat(store).filteredOn(line -> line.contains("has no cache 'sluice-buckets'")).singleElement()
                    .satisfies(line -> assertThat(line).contains("sluice-infinispan-task.jar").contains("store_misconfigured"));
            assertThat(store).filteredOn(line -> line.contains("has no server task 'sluice-admit'")).hasSize(1);
            assertThat(store).anySatisfy(line -> assertThat(line).contains("available again"));
            // on a loaded machine a node starting up may also time a call out once: that is said too, and nothing else
            assertThat(store).allSatisfy(line -> assertThat(line).containsAnyOf("has no cache", "has no server task",
                    "is unavailable", "available again"));
        }
    }
}
