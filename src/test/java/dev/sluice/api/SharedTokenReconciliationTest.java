package dev.sluice.api;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.Rate;
import dev.sluice.limit.infinispan.InfinispanBucketStore;
import dev.sluice.limit.infinispan.InfinispanTestServer;
import dev.sluice.upstream.TestUpstream;
import dev.sluice.upstream.TestUpstream.Reply;
import dev.sluice.upstream.TestUpstreamResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The upstream's own view corrects the fleet's: a reply whose {@code x-ratelimit-remaining-tokens} is
 * below what Sluice's shared bucket holds lowers that bucket in Infinispan, and another instance (here
 * a second Hot Rod client with its own store, as a second Sluice would have) sees it lowered at once;
 * a reply that says more is left never raises it. The server decides at its own clock, so the
 * bucket refills in real time meanwhile: 100,000 tokens a minute is about 1,700 a second.
 */
@QuarkusTest
@TestProfile(SharedTokenReconciliationTest.SharedTokens.class)
class SharedTokenReconciliationTest {

    static final long TPM = 100_000;

    public static class SharedTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.store", "infinispan",
                    "sluice.upstreams.recon.url", "${sluice.upstream.url}",
                    "sluice.upstreams.recon.api-key", "sk-recon",
                    "sluice.upstreams.recon.tpm", String.valueOf(TPM),
                    "sluice.retry.max-attempts", "1",
                    "quarkus.infinispan-client.hosts", InfinispanTestServer.ensureRunning(),
                    "quarkus.infinispan-client.username", InfinispanTestServer.USERNAME,
                    "quarkus.infinispan-client.password", InfinispanTestServer.PASSWORD);
        }
    }

    /** The bucket Sluice keeps for the upstream's tokens: 99 % of a minute's worth, refilled at TPM. */
    private static final BucketPolicy TOKENS = new BucketPolicy(99_000, Rate.perMinute(TPM));
    private static final String KEY = "upstream:recon:tokens";

    private static RemoteCacheManager otherInstance;
    private static ExecutorService executor;
    private static InfinispanBucketStore otherStore;

    TestUpstream upstream = TestUpstreamResource.upstream();

    @BeforeAll
    static void connectAnotherInstance() throws InterruptedException {
        String hosts = InfinispanTestServer.ensureRunning();
        otherInstance = new RemoteCacheManager(InfinispanTestServer.sluiceClientConfiguration(hosts,
                InfinispanTestServer.USERNAME, InfinispanTestServer.PASSWORD).build());
        executor = Executors.newSingleThreadExecutor();
        var cache = InfinispanTestServer.bucketsCache(otherInstance);
        otherStore = new InfinispanBucketStore(() -> cache, executor, true);
    }

    @AfterAll
    static void disconnect() {
        otherInstance.close();
        executor.shutdownNow();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    /** What the other instance sees in the shared bucket: it takes 1 token and reads what is left. */
    private static long availableSeenByTheOtherInstance() {
        Admission admission = otherStore.tryAcquire(new AdmissionRequest(List.of(new BucketCharge(KEY, TOKENS, 1)), 0, 0))
                .toCompletableFuture().join();
        return admission instanceof Admission.Admitted admitted ? admitted.buckets().get(0).availableTokens() : 0;
    }

    private void chatAnsweredWithRemainingTokens(long remaining) {
        upstream.enqueue(Reply.json(200, TestUpstream.COMPLETION, Map.of("x-ratelimit-remaining-tokens", String.valueOf(remaining),
                "x-ratelimit-limit-tokens", String.valueOf(TPM))));
        given().header("Authorization", "Bearer sk-recon-caller").contentType(ContentType.JSON)
                .body("{\"model\":\"gpt-test\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .when().post("/v1/chat/completions").then().statusCode(200);
    }

    @Test
    void aReplyThatSaysLessIsLeftLowersTheSharedBucketForEveryInstanceAndOneThatSaysMoreNeverRaisesIt() {
        // someone else spends this key too: the upstream has 5,000 left where Sluice's bucket holds far more
        long before = availableSeenByTheOtherInstance();
        chatAnsweredWithRemainingTokens(5_000);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(availableSeenByTheOtherInstance()).isLessThan(20_000)); // 5,000 + a few seconds of refill
        assertThat(before).as("a bucket that was not already low").isGreaterThan(40_000);

        chatAnsweredWithRemainingTokens(TPM); // says everything is left: believed only when lower
        assertThat(availableSeenByTheOtherInstance()).isLessThan(30_000);
    }
}
