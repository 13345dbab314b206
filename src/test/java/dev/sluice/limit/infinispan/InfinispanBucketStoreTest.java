package dev.sluice.limit.infinispan;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.BucketStoreContractTest;
import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.limit.Rate;
import dev.sluice.limit.memory.InMemoryBucketStore;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.infinispan.client.hotrod.configuration.ConfigurationBuilder;
import org.infinispan.client.hotrod.exceptions.TransportException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store contract against a real Infinispan server (deploy/local/infinispan.sh), with the
 * request's time so that the test clock drives it; and once with the server's own clock.
 */
class InfinispanBucketStoreTest extends BucketStoreContractTest {

    private static RemoteCacheManager manager;
    private static ExecutorService executor;

    @BeforeAll
    static void connect() {
        String hosts = InfinispanTestServer.ensureRunning();
        manager = new RemoteCacheManager(clientConfiguration(hosts).build());
        executor = Executors.newFixedThreadPool(16);
    }

    static ConfigurationBuilder clientConfiguration(String hosts) {
        ConfigurationBuilder builder = new ConfigurationBuilder();
        builder.addServers(hosts)
                .security().authentication().username(InfinispanTestServer.USERNAME)
                .password(InfinispanTestServer.PASSWORD)
                .realm("default").saslMechanism("SCRAM-SHA-256");
        builder.connectionTimeout(2000).socketTimeout(5000).maxRetries(0);
        return builder;
    }

    @AfterAll
    static void disconnect() {
        manager.close();
        executor.shutdownNow();
    }

    private static RemoteCache<String, Long> cache() {
        return manager.getCache(InfinispanBucketStore.CACHE);
    }

    @Override
    protected BucketStore createStore() {
        return new InfinispanBucketStore(InfinispanBucketStoreTest::cache, executor, false);
    }

    @Test
    void withTheServersClockItAdmitsTheCapacityThenRefuses() throws Exception {
        BucketStore store = new InfinispanBucketStore(InfinispanBucketStoreTest::cache, executor, true);
        BucketCharge charge = new BucketCharge("server-clock-" + UUID.randomUUID(),
                new BucketPolicy(3, Rate.perHour(1)), 1);
        int admitted = 0;
        for (int i = 0; i < 5; i++) {
            // the request's own time is nonsense on purpose: the server's clock decides
            Admission admission = store.tryAcquire(new AdmissionRequest(List.of(charge), 0, 0))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            admitted += admission instanceof Admission.Admitted ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(3);
    }

    @Test
    void openModeHandsItsBucketsBackEmptyToARealServerAndComesBack() throws Exception {
        AtomicBoolean away = new AtomicBoolean(true);
        InfinispanBucketStore shared = new InfinispanBucketStore(() -> {
            if (away.get()) {
                throw new TransportException("no server (test)", null);
            }
            return cache();
        }, executor, false);
        List<String> transitions = new CopyOnWriteArrayList<>();
        long retryNanos = TimeUnit.SECONDS.toNanos(2);
        FailoverBucketStore store = new FailoverBucketStore(shared, new InMemoryBucketStore(), FailoverBucketStore.Mode.OPEN,
                0.5, retryNanos, new FailoverBucketStore.Listener() {
                    @Override
                    public void unavailable(String name, FailoverBucketStore.Mode mode, Throwable cause) {
                        transitions.add("down");
                    }

                    @Override
                    public void misconfigured(String name, String missing) {
                        transitions.add("misconfigured");
                    }

                    @Override
                    public void available(String name) {
                        transitions.add("up");
                    }
                });
        String run = UUID.randomUUID().toString();
        List<BucketCharge> charges = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) { // more than one settlement's worth
            charges.add(new BucketCharge("handed-back-" + i + "-" + run, new BucketPolicy(10, Rate.perSecond(10)), 1));
        }
        long now = TimeUnit.DAYS.toNanos(1);
        for (BucketCharge decidedAlone : charges) {
            store.tryAcquire(new AdmissionRequest(List.of(decidedAlone), now, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        BucketCharge charge = charges.get(charges.size() - 1);
        away.set(false); // a restarted server: the buckets are full there
        now += retryNanos;
        Admission returned = store.tryAcquire(new AdmissionRequest(List.of(charge), now, 0))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(transitions).containsExactly("down", "up");
        assertThat(returned).as("emptied on the server before this request was admitted there")
                .isInstanceOf(Admission.Refused.class);
        assertThat(store.tryAcquire(new AdmissionRequest(List.of(charges.get(0)), now, 0)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS)).as("the first key, in another settlement").isInstanceOf(Admission.Refused.class);
        now += TimeUnit.MILLISECONDS.toNanos(100);
        assertThat(store.tryAcquire(new AdmissionRequest(List.of(charge), now, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .as("at its rate at once").isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void aCallSentAgainIsAnsweredAsTheFirstTimeAndChargesNothingTwice() throws Exception {
        BucketCharge one = new BucketCharge("once-" + UUID.randomUUID(), new BucketPolicy(1, Rate.perHour(1)), 1);
        byte[] call = AdmissionCodec.encodeRequests("call-" + UUID.randomUUID(), List.of(new AdmissionRequest(List.of(one), 0, 0)), true);
        byte[] another = AdmissionCodec.encodeRequests("call-" + UUID.randomUUID(), List.of(new AdmissionRequest(List.of(one), 0, 0)), true);

        byte[] first = cache().execute(InfinispanBucketStore.TASK, Map.of("request", call));
        byte[] again = cache().execute(InfinispanBucketStore.TASK, Map.of("request", call)); // its first answer was lost, say
        byte[] other = cache().execute(InfinispanBucketStore.TASK, Map.of("request", another));

        assertThat(AdmissionCodec.decodeAdmissions(first)).singleElement().isInstanceOf(Admission.Admitted.class);
        assertThat(again).isEqualTo(first); // the bucket of 1 was charged once: a second charge would have refused
        assertThat(AdmissionCodec.decodeAdmissions(other)).singleElement().isInstanceOf(Admission.Refused.class);
    }

    @Test
    void aChargedBucketExpiresOnceItIsFullAgain() throws Exception {
        String key = "expiring-" + UUID.randomUUID();
        BucketStore store = new InfinispanBucketStore(InfinispanBucketStoreTest::cache, executor, true);
        store.tryAcquire(new AdmissionRequest(List.of(new BucketCharge(key, new BucketPolicy(1, Rate.perSecond(10)), 1)),
                0, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(cache().containsKey(key)).isTrue();

        // full again after 100 ms; kept 1 s longer for late readers; then gone
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> !cache().containsKey(key));
    }
}
