package dev.sluice.limit.infinispan;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.BucketStoreContractTest;
import dev.sluice.limit.Rate;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract against a two-node cluster ({@link InfinispanSuiteCluster}), with Sluice's own
 * client settings, so that every key a request locks may live on either node and the client may
 * send a task to either. The concurrent cases are the ones a single node cannot catch: two tasks on
 * two nodes locking the same keys.
 */
class InfinispanClusterBucketStoreTest extends BucketStoreContractTest {

    private static RemoteCacheManager manager;
    private static RemoteCache<String, Long> cache;
    private static ExecutorService executor;

    @BeforeAll
    static void connect() throws InterruptedException {
        String hosts = InfinispanSuiteCluster.ensureRunning();
        manager = new RemoteCacheManager(InfinispanTestServer.sluiceClientConfiguration(hosts,
                InfinispanTestServer.USERNAME, InfinispanTestServer.PASSWORD).build());
        cache = InfinispanTestServer.bucketsCache(manager);
        executor = Executors.newFixedThreadPool(16);
    }

    @AfterAll
    static void disconnect() {
        manager.close();
        executor.shutdownNow();
    }

    @Override
    protected BucketStore createStore() {
        return new InfinispanBucketStore(() -> cache, executor, false);
    }

    /**
     * Every request charges the same keys (one caller's, an upstream's, its pause: one caller sending
     * from many threads), which hash to owners on both nodes. Tasks deciding on different nodes must
     * never hold one of those keys each and wait for the other's until the lock timeout: every request
     * is answered, none fails.
     */
    @Test
    void requestsOnTheSameKeysOwnedByBothNodesAreAllAnswered() throws Exception {
        BucketPolicy plenty = new BucketPolicy(1_000_000, Rate.perSecond(1_000_000));
        String prefix = "same-keys-" + UUID.randomUUID() + ":";
        List<BucketCharge> charges = new ArrayList<>();
        for (String key : List.of("caller", "cooldown", "upstream-requests", "upstream-tokens", "quota")) {
            charges.add(new BucketCharge(prefix + key, plenty, 1));
        }
        BucketStore store = new InfinispanBucketStore(() -> cache, executor, true);
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        for (int round = 0; round < 100; round++) {
            for (int thread = 0; thread < 8; thread++) { // eight at once, as eight clients of one caller
                answers.add(store.tryAcquire(new AdmissionRequest(charges, 0, 0)).toCompletableFuture());
            }
            CompletableFuture.allOf(answers.subList(answers.size() - 8, answers.size()).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
        }

        assertThat(answers).allSatisfy(answer -> assertThat(answer.join()).isInstanceOf(Admission.Admitted.class));
    }
}
