package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketCharge;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.Rate;
import dev.sluice.limit.TimeSource;
import dev.sluice.limit.infinispan.InfinispanBucketStore;
import dev.sluice.limit.infinispan.InfinispanTestServer;
import dev.sluice.limit.memory.InMemoryBucketStore;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latency of one {@link BucketStore#tryAcquire} as a caller sees it (submit to answer), for a few
 * callers on the same keys of a bucket that never refuses, after a warm-up. Prints one JSON line per
 * case. Used by src/bench/store.sh. Latencies are recorded in whole microseconds (the bench's
 * {@link Recorder}): the in-memory store's come out as 0.
 *
 * <pre>java -cp … dev.sluice.bench.StoreLatency --store=infinispan --hosts=127.0.0.1:11222
 *     --cases=1x1,16x1,1x2 --warm-up=5s --duration=10s</pre>
 * A case {@code CxK} is C concurrent callers, each request charging the same K keys (K=2: a caller's
 * bucket and an upstream key's, like a Sluice request).
 */
public final class StoreLatency {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Never refuses: a billion tokens, refilled at a billion a second. */
    private static final BucketPolicy UNLIMITED = new BucketPolicy(1_000_000_000L, Rate.perSecond(1_000_000_000L));
    /** Latencies kept per case; a faster store is sampled evenly down to about this many. */
    private static final long MAX_SAMPLES = 2_000_000;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (!arg.startsWith("--") || equals < 0) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        String storeName = options.getOrDefault("store", "infinispan");
        Duration warmUp = Duration.parse("PT" + options.getOrDefault("warm-up", "5s").toUpperCase());
        Duration duration = Duration.parse("PT" + options.getOrDefault("duration", "10s").toUpperCase());
        // like Sluice's own store threads (sluice.store-threads)
        ExecutorService storeThreads = Executors.newFixedThreadPool(32, runnable -> {
            Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        });
        RemoteCacheManager manager = null;
        BucketStore store;
        if (storeName.equals("memory")) {
            store = new InMemoryBucketStore();
        } else {
            manager = new RemoteCacheManager(InfinispanTestServer.sluiceClientConfiguration(
                    options.getOrDefault("hosts", "127.0.0.1:11222"), options.getOrDefault("username", "sluice"),
                    options.getOrDefault("password", "sluice-local-password")).build());
            RemoteCache<String, Long> cache = InfinispanTestServer.bucketsCache(manager);
            store = new InfinispanBucketStore(() -> cache, storeThreads, true);
        }
        if (!warmUp.isZero()) {
            // a fresh server compiles its side of the call during the first case's warm-up otherwise,
            // and the first case measures the end of that
            run(store, List.of(new BucketCharge("bench-warm-up-" + UUID.randomUUID(), UNLIMITED, 1)), 16, warmUp, 1, null);
        }
        for (String spec : options.getOrDefault("cases", "1x1,16x1,1x2").split(",")) {
            String[] parts = spec.split("x");
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("store", store.name());
            result.putAll(measure(store, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), warmUp, duration));
            System.out.println(JSON.writeValueAsString(result));
        }
        if (manager != null) {
            manager.close();
        }
        storeThreads.shutdownNow();
    }

    private static Map<String, Object> measure(BucketStore store, int callers, int keys, Duration warmUp,
                                               Duration duration) throws InterruptedException {
        List<BucketCharge> charges = new ArrayList<>();
        String prefix = "bench-" + UUID.randomUUID() + ":";
        for (int i = 0; i < keys; i++) {
            charges.add(new BucketCharge(prefix + i, UNLIMITED, 1));
        }
        // the warm-up's rate sets how evenly to sample the measured calls
        long warmUpCalls = run(store, charges, callers, warmUp, 1, null).calls.sum();
        long expected = (long) (warmUpCalls / Math.max(0.001, warmUp.toMillis() / 1000.0) * duration.toMillis() / 1000.0);
        long stride = Math.max(1, expected / MAX_SAMPLES);
        long startNanos = System.nanoTime();
        Recorder recorder = new Recorder(1, (int) duration.toSeconds() + 2, startNanos);
        Counts counts = run(store, charges, callers, duration, stride, recorder);
        double seconds = (System.nanoTime() - startNanos) / 1e9;

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("callers", callers);
        result.put("keys", keys);
        result.put("seconds", Math.round(seconds * 100) / 100.0);
        result.put("calls", counts.calls.sum());
        result.put("admitted", counts.admitted.sum());
        result.put("errors", counts.errors.sum());
        result.put("per_s", Math.round(counts.calls.sum() / seconds));
        result.put("sampled_every", stride);
        result.put("latency_ms", recorder.percentilesMillis(0));
        return result;
    }

    private record Counts(LongAdder calls, LongAdder admitted, LongAdder errors) {
    }

    /** {@code callers} threads calling the store back to back; every {@code stride}-th latency is recorded. */
    private static Counts run(BucketStore store, List<BucketCharge> charges, int callers, Duration duration, long stride,
                              Recorder recorder) throws InterruptedException {
        Counts counts = new Counts(new LongAdder(), new LongAdder(), new LongAdder());
        TimeSource clock = TimeSource.system();
        long endNanos = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Thread thread = new Thread(() -> {
                long calls = 0;
                while (System.nanoTime() < endNanos) {
                    long before = System.nanoTime();
                    boolean admitted = false;
                    try {
                        admitted = store.tryAcquire(new AdmissionRequest(charges, clock.nowNanos(), 0))
                                .toCompletableFuture().join() instanceof Admission.Admitted;
                    } catch (CompletionException e) {
                        counts.errors.increment();
                    }
                    long latencyNanos = System.nanoTime() - before;
                    calls++;
                    if (admitted) {
                        counts.admitted.increment();
                    }
                    if (recorder != null && calls % stride == 0) {
                        recorder.finished(0, Recorder.OK, latencyNanos);
                    }
                }
                counts.calls.add(calls);
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return counts;
    }
}
