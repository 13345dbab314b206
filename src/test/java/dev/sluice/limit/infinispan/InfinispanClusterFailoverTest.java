package dev.sluice.limit.infinispan;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.Rate;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A two-node cluster (nodes 3 and 4, infinispan-cluster.xml) loses a node under load on one hot
 * bucket, with Sluice's own client settings (no Hot Rod retries) and its default failover window of 5 s:
 * the calls in flight on the killed node are sent again to the other, which answers a call the dead
 * node had decided with that node's answer, so no request fails and no token is taken twice.
 *
 * <p>About a minute on a 2-core machine, most of it starting servers, so it runs only with
 * {@code SLUICE_CLUSTER_TEST=1} (docs/operations.md); skipped too when the script is missing or nodes
 * 3 or 4 already run:
 * <pre>SLUICE_CLUSTER_TEST=1 mvn test -Dtest=InfinispanClusterFailoverTest</pre>
 */
@EnabledIfEnvironmentVariable(named = "SLUICE_CLUSTER_TEST", matches = "1")
class InfinispanClusterFailoverTest {

    private static final int CALLERS = 8;
    /** More than the test can take (about 3,000 a second for 15 s), as close to ten years of refill at 1/h as a bucket may be. */
    private static final long CAPACITY = 87_000;

    private static RemoteCacheManager manager;
    private static ExecutorService storeThreads;
    private static boolean started;

    @BeforeAll
    static void startCluster() throws Exception {
        String unavailable = InfinispanTestCluster.unavailableBecause();
        assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        started = true;
        for (int node : InfinispanTestCluster.NODES) {
            InfinispanTestCluster.start(node);
        }
        for (int node : InfinispanTestCluster.NODES) {
            assertThat(InfinispanTestCluster.awaitView(node, 2, 60_000)).as("node %d sees both", node).isTrue();
        }
        manager = new RemoteCacheManager(InfinispanTestServer.sluiceClientConfiguration(InfinispanTestCluster.servers(),
                InfinispanTestServer.USERNAME, InfinispanTestServer.PASSWORD).build());
        storeThreads = Executors.newFixedThreadPool(32);
    }

    @AfterAll
    static void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (storeThreads != null) {
            storeThreads.shutdownNow();
        }
        if (started) {
            for (int node : InfinispanTestCluster.NODES) {
                InfinispanTestCluster.stop(node);
            }
        }
    }

    @Test
    void aKilledNodeCostsNoRequestAndChargesNothingTwice() throws Exception {
        RemoteCache<String, Long> cache = InfinispanTestServer.bucketsCache(manager);
        BucketStore store = new InfinispanBucketStore(() -> cache, storeThreads, true, TimeUnit.SECONDS.toNanos(5));
        // a bucket the test cannot empty and that does not refill in its time: every admission takes
        // exactly one token, so what is left tells whether any call was charged twice
        BucketPolicy deep = new BucketPolicy(CAPACITY, Rate.perHour(1));
        BucketCharge hot = new BucketCharge("failover-" + UUID.randomUUID(), deep, 1);

        Load beforeAndDuring = Load.run(store, hot, CALLERS, 1_000, 6_000, () -> InfinispanTestCluster.kill(4));
        InfinispanTestCluster.start(4);
        assertThat(InfinispanTestCluster.awaitView(4, 2, 60_000)).as("node 4 rejoined").isTrue();
        Load afterRejoin = Load.run(store, hot, CALLERS, 0, 5_000, () -> { });
        long left = availableAfterOneMore(store, hot);
        System.out.printf("cluster failover: %s%n  after node 4 rejoined: %s%n  left in the bucket: %d of %d%n",
                beforeAndDuring, afterRejoin, left, CAPACITY);

        assertThat(beforeAndDuring.failures).as("requests that failed around the kill").isEmpty();
        assertThat(afterRejoin.failures).as("requests that failed after the rejoin").isEmpty();
        assertThat(beforeAndDuring.admittedAfterEvent.get()).as("admitted once node 4 was gone").isPositive();
        assertThat(left + 1 + beforeAndDuring.admitted.get() + afterRejoin.admitted.get())
                .as("every token taken was an admission someone received: none charged twice, none lost")
                .isEqualTo(CAPACITY);
    }

    /** Takes one more token and says how many are left after it. */
    private static long availableAfterOneMore(BucketStore store, BucketCharge charge) {
        Admission admission = store.tryAcquire(new AdmissionRequest(List.of(charge), 0, 0)).toCompletableFuture().join();
        return ((Admission.Admitted) admission).buckets().get(0).availableTokens();
    }

    /**
     * {@code callers} threads acquiring one bucket; {@code event} runs once {@code admissionsBeforeEvent}
     * were admitted (at once when 0), and the load goes on for {@code millisAfterEvent} after it.
     */
    private record Load(AtomicLong admitted, AtomicLong refused, Map<String, AtomicLong> failures,
                        AtomicLong admittedAfterEvent, LongAccumulator maxLatencyNanos, AtomicLong lastFailureAfterEventNanos,
                        AtomicLongArray admittedPerSecond, long startNanos, AtomicLong endNanos) {

        interface Event {
            void run() throws Exception;
        }

        static Load run(BucketStore store, BucketCharge charge, int callers, long admissionsBeforeEvent, long millisAfterEvent,
                Event event) throws Exception {
            long start = System.nanoTime();
            Load load = new Load(new AtomicLong(), new AtomicLong(), new TreeMap<>(), new AtomicLong(),
                    new LongAccumulator(Math::max, 0), new AtomicLong(-1), new AtomicLongArray(64), start, new AtomicLong());
            AtomicLong end = new AtomicLong(Long.MAX_VALUE);
            AtomicLong eventNanos = new AtomicLong(Long.MAX_VALUE);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Thread thread = new Thread(() -> {
                    while (System.nanoTime() < end.get()) {
                        load.acquire(store, charge, eventNanos.get());
                    }
                });
                thread.start();
                threads.add(thread);
            }
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> load.admitted.get() >= admissionsBeforeEvent);
                eventNanos.set(System.nanoTime());
                event.run();
            } finally {
                end.set(eventNanos.get() == Long.MAX_VALUE ? 0 : eventNanos.get() + TimeUnit.MILLISECONDS.toNanos(millisAfterEvent));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            load.endNanos.set(System.nanoTime());
            return load;
        }

        private void acquire(BucketStore store, BucketCharge charge, long eventNanos) {
            long before = System.nanoTime();
            try {
                Admission admission = store.tryAcquire(new AdmissionRequest(List.of(charge), 0, 0)).toCompletableFuture().join();
                (admission instanceof Admission.Admitted ? admitted : refused).incrementAndGet();
                if (admission instanceof Admission.Admitted) {
                    admittedPerSecond.incrementAndGet((int) Math.min(admittedPerSecond.length() - 1,
                            (System.nanoTime() - startNanos) / 1_000_000_000L));
                }
                if (admission instanceof Admission.Admitted && before > eventNanos) {
                    admittedAfterEvent.incrementAndGet();
                }
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                synchronized (failures) {
                    String message = String.valueOf(cause.getMessage());
                    failures.computeIfAbsent(cause.getClass().getSimpleName() + ": "
                            + message.substring(0, Math.min(160, message.length())), name -> new AtomicLong()).incrementAndGet();
                }
                if (before > eventNanos || System.nanoTime() > eventNanos) {
                    lastFailureAfterEventNanos.accumulateAndGet(System.nanoTime() - eventNanos, Math::max);
                }
            }
            maxLatencyNanos.accumulate(System.nanoTime() - before);
        }

        @Override
        public String toString() {
            return String.format("admitted %d %s per second, refused %d, failed %s (the last %d ms after the event),"
                            + " max latency %d ms", admitted.get(), admittedPerSecond, refused.get(), failures,
                    TimeUnit.NANOSECONDS.toMillis(lastFailureAfterEventNanos.get()),
                    TimeUnit.NANOSECONDS.toMillis(maxLatencyNanos.get()));
        }
    }
}
