package dev.sluice.api;

import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;

import dev.sluice.limit.infinispan.InfinispanTestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Sluice with its buckets in a real Infinispan server ({@code SLUICE_STORE=infinispan}, failure mode
 * closed): limits hold through the server, a stopped server means a prompt 503 and an unready
 * instance, and service returns by itself when the server is back.
 */
@QuarkusTest
@TestProfile(InfinispanStoreTest.SharedStore.class)
class InfinispanStoreTest {

    public static class SharedStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.store", "infinispan",
                    "sluice.store-retry-interval", "200ms",
                    "sluice.caller.rate", "1/m",
                    "sluice.caller.burst", "3",
                    "quarkus.infinispan-client.hosts", InfinispanTestServer.ensureRunning(),
                    "quarkus.infinispan-client.username", InfinispanTestServer.USERNAME,
                    "quarkus.infinispan-client.password", InfinispanTestServer.PASSWORD);
        }
    }

    static final String BODY = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private ValidatableResponse chat(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(BODY)
                .when().post("/v1/chat/completions").then();
    }

    @Inject
    Instance<RemoteCacheManager> hotRod;

    @Test
    void sluicesHotRodSettingsAreTheOnesInForce() {
        chat("sk-settings-" + UUID.randomUUID()).statusCode(200); // the client is made on first use
        var configuration = hotRod.get().getConfiguration();

        // META-INF/hotrod-client.properties, which Quarkus reads when it builds Sluice
        assertThat(configuration.maxRetries()).isZero();
        assertThat(configuration.connectionTimeout()).isEqualTo(500);
        assertThat(configuration.socketTimeout()).isEqualTo(800);
    }

    @Test
    void theOwnerOfAnObjectIsKeptInTheSharedStoreForTheWholeFleet() {
        TestUpstream upstream = TestUpstreamResource.upstream();
        upstream.reset();
        String owner = "sk-owner-" + UUID.randomUUID();
        String id = "file-" + UUID.randomUUID();
        upstream.enqueue(TestUpstream.Reply.json(200, PassThroughTest.file(id), Map.of()),
                TestUpstream.Reply.json(200, PassThroughTest.file(id), Map.of()));

        given().header("Authorization", "Bearer " + owner).multiPart("purpose", "batch")
                .multiPart("file", "a.jsonl", new byte[100], "application/jsonl").when().post("/v1/files").then().statusCode(200);

        String stored = (String) hotRod.get().getCache(dev.sluice.owners.infinispan.InfinispanObjectOwners.CACHE).get(id);
        assertThat(dev.sluice.owners.Owner.decode(stored).upstream()).isEqualTo("default");
        // another caller's key never reaches it, even where the upstream would have answered (callers' own keys here)
        given().header("Authorization", "Bearer sk-other-" + UUID.randomUUID()).when().get("/v1/files/" + id).then().statusCode(404);
        given().header("Authorization", "Bearer " + owner).when().get("/v1/files/" + id).then().statusCode(200);
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void theCallerLimitHoldsThroughTheSharedStore() {
        String caller = "sk-shared-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            chat(caller).statusCode(200);
        }
        chat(caller).statusCode(429)
                .header("x-ratelimit-limit-requests", "3")
                .body("error.code", equalTo("rate_limit_exceeded"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'bucket-store' }.data.store", equalTo("infinispan"));
    }

    @Test
    void aStoppedServerIsAPrompt503AndServiceReturnsWhenItIsBack() throws Exception {
        chat("sk-outage-" + UUID.randomUUID()).statusCode(200);
        InfinispanTestServer.stop();
        try {
            long started = System.nanoTime();
            chat("sk-outage-" + UUID.randomUUID()).statusCode(503)
                    .header("retry-after", "1")
                    .body("error.type", equalTo("server_error"))
                    .body("error.code", equalTo("store_unavailable"));
            // Through the mock Lambda event server a request also waits for the poll loop and takes two
            // more local HTTP hops; the bound is about Sluice, not about those.
            long boundMillis = Boolean.getBoolean(LambdaProfile.PROPERTY) ? 2000 : 1000;
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(boundMillis);
            given().when().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'bucket-store' }.data.available", equalTo(false));
        } finally {
            InfinispanTestServer.restart();
        }
        // The first tries after the restart may still meet a server that is finishing its start.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            TestClock.CLOCK.advanceMillis(250); // Sluice's retry interval runs on its (test) clock
            return chat("sk-back-" + UUID.randomUUID()).extract().statusCode() == 200;
        });
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}
