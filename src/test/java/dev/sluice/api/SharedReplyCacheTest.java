package dev.sluice.api;

import dev.sluice.limit.infinispan.InfinispanTestServer;
import dev.sluice.replies.CachedReply;
import dev.sluice.replies.infinispan.InfinispanReplyCache;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reply cache on the Infinispan store: a reply Sluice keeps is in the fleet's {@code sluice-replies} cache,
 * readable by another instance's client; and a reply another instance kept answers a request here.
 */
@QuarkusTest
@TestProfile(SharedReplyCacheTest.SharedCache.class)
class SharedReplyCacheTest {

    public static class SharedCache implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.store", "infinispan",
                    "sluice.caller.cache-ttl", "10m",
                    "quarkus.infinispan-client.hosts", InfinispanTestServer.ensureRunning(),
                    "quarkus.infinispan-client.username", InfinispanTestServer.USERNAME,
                    "quarkus.infinispan-client.password", InfinispanTestServer.PASSWORD);
        }
    }

    @Test
    void aReplyKeptHereIsInTheFleetsCacheAndOneKeptElsewhereAnswersHere() throws Exception {
        TestUpstream upstream = TestUpstreamResource.upstream();
        upstream.reset();
        TestClock.refillEverything();
        String key = "sk-fleet-" + UUID.randomUUID();
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + UUID.randomUUID() + "\"}]}";

        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body).when().post("/v1/chat/completions")
                .then().statusCode(200).header(CachedReplies.HEADER, "miss");

        try (RemoteCacheManager elsewhere = InfinispanTestServer.newInstanceClient()) {
            RemoteCache<String, byte[]> replies = elsewhere.getCache(InfinispanReplyCache.CACHE);
            // the reply is written without the request waiting for it
            String kept = await().until(() -> replies.keySet().stream().filter(stored -> stored.endsWith(
                    ":" + RequestRelay.digest(dev.sluice.openai.Operation.CHAT_COMPLETIONS, body.getBytes(StandardCharsets.UTF_8))))
                    .findFirst().orElse(null), java.util.Objects::nonNull);
            assertThat(new String(CachedReply.decode(replies.get(kept)).orElseThrow().body(), StandardCharsets.UTF_8))
                    .isEqualTo(TestUpstream.COMPLETION);

            // another instance keeps a reply under this caller's key for another question: it answers here
            String otherBody = body.replace("\"user\"", "\"user\",\"name\":\"x\"");
            String otherKey = kept.substring(0, kept.lastIndexOf(':') + 1)
                    + RequestRelay.digest(dev.sluice.openai.Operation.CHAT_COMPLETIONS, otherBody.getBytes(StandardCharsets.UTF_8));
            replies.put(otherKey, new CachedReply(200, Map.of("content-type", List.of("application/json")),
                    "{\"kept\":\"elsewhere\"}".getBytes(StandardCharsets.UTF_8)).encode());
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(otherBody).when()
                    .post("/v1/chat/completions").then().statusCode(200).header(CachedReplies.HEADER, "hit")
                    .body("kept", org.hamcrest.Matchers.equalTo("elsewhere"));
        }
        assertThat(upstream.requests()).hasSize(1);
    }
}
