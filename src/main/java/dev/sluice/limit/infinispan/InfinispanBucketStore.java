package dev.sluice.limit.infinispan;

import dev.sluice.limit.Admission;
import dev.sluice.limit.AdmissionCodec;
import dev.sluice.limit.AdmissionRequest;
import dev.sluice.limit.BucketStore;
import dev.sluice.limit.Settlement;
import dev.sluice.limit.StoreMisconfiguredException;
import dev.sluice.limit.StoreUnreachableException;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.exceptions.HotRodClientException;
import org.infinispan.client.hotrod.exceptions.RemoteCacheManagerNotStartedException;
import org.infinispan.client.hotrod.exceptions.RemoteIllegalLifecycleStateException;
import org.infinispan.client.hotrod.exceptions.TransportException;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Buckets shared by every Sluice instance, in an Infinispan server over Hot Rod.
 *
 * <p>One admission is at most one Hot Rod round trip: the request's charges go to the server task
 * {@code sluice-admit} (src/infinispan-task), which locks the keys, runs {@link AdmissionRequest#decide}
 * and writes the result, all or nothing. Contention waits on the server's locks rather than retrying
 * over the network, so a hot key causes no retry storm. Requests that arrive while a call
 * ({@link #MAX_CALLS_IN_FLIGHT}) is out wait in a queue and go together in the next call, decided
 * one after the other ({@link dev.sluice.limit.AdmissionBatch}): a lone request goes at once, and under
 * load one round trip and one set of locks serve many requests ({@link BatchedCalls}). Settlements,
 * sent after the upstream's reply, go to {@code sluice-settle} batched the same way: with token limits
 * every request has one, and one transaction a settlement would double the server's work.
 *
 * <p>A failed admission call is sent again, the same bytes under the same call id, for up to
 * {@code retryWindowNanos}: its node died, or a lock was not to be had while the cluster changed. The
 * task answers a call it already decided with that first answer ({@code AdmitTask}), so a retry never
 * charges twice, and the Hot Rod client takes a node that failed out of its choice. Hot Rod's own
 * retries stay off ({@code max_retries=0} in Sluice's hotrod-client.properties): they would not know
 * that. Hot Rod's task execution is blocking, so calls run on {@code executor}, never on an event loop.
 */
public final class InfinispanBucketStore implements BucketStore {

    /** The cache that holds the buckets; the server defines it (deploy/local/infinispan/infinispan.xml). */
    public static final String CACHE = "sluice-buckets";
    /** The server task that decides an admission. */
    public static final String TASK = "sluice-admit";
    /** The server task that applies a settlement. */
    public static final String SETTLE_TASK = "sluice-settle";

    /**
     * Calls of each kind out at once. One: what arrives meanwhile goes whole in the next call. A second
     * call out mostly waited on the server for the first one's locks on the same hot keys (the upstream
     * key is in every request) and halved the batches: with one, an interleaved A/B (issue 20) gave the
     * server 0.6x the CPU a request, Sluice the same or less, and more requests a second; a node's
     * death still fails no admission ({@code InfinispanClusterFailoverTest}: slowest 1.19-1.29 s).
     */
    static final int MAX_CALLS_IN_FLIGHT = 1;

    private final BatchedCalls<AdmissionRequest, Admission> admissions;
    private final BatchedCalls<Settlement, Void> settlements;
    /** The first pause before an admission call is sent again; each next one doubles, up to {@link #MAX_RETRY_PAUSE_MILLIS}. */
    static final long FIRST_RETRY_PAUSE_MILLIS = 20;
    static final long MAX_RETRY_PAUSE_MILLIS = 320;

    private final Supplier<RemoteCache<String, Long>> cache;
    private final Executor executor;
    private final boolean serverClock;
    private final long retryWindowNanos;

    /**
     * @param cache       the buckets cache; looked up on each call, so a server that was down at
     *                    start-up is found once it is up
     * @param executor    where the blocking Hot Rod calls run
     * @param serverClock decide at the Infinispan server's time (production: every instance shares one
     *                    clock); {@code false} decides at the request's time (tests move it by hand)
     */
    public InfinispanBucketStore(Supplier<RemoteCache<String, Long>> cache, Executor executor, boolean serverClock) {
        this(cache, executor, serverClock, 0);
    }

    /**
     * @param retryWindowNanos how long after its first try a failed admission call may still be sent
     *                         again; 0 sends each once
     */
    public InfinispanBucketStore(Supplier<RemoteCache<String, Long>> cache, Executor executor, boolean serverClock,
            long retryWindowNanos) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.serverClock = serverClock;
        if (retryWindowNanos < 0) {
            throw new IllegalArgumentException("the retry window must not be negative, got " + retryWindowNanos);
        }
        this.retryWindowNanos = retryWindowNanos;
        this.admissions = new BatchedCalls<>(MAX_CALLS_IN_FLIGHT, AdmissionCodec.MAX_BATCH, request -> 1, executor, this::admit);
        this.settlements = new BatchedCalls<>(MAX_CALLS_IN_FLIGHT, AdmissionCodec.MAX_SETTLEMENT_KEYS,
                settlement -> settlement.keys().size(), executor, this::settle);
    }

    @Override
    public CompletionStage<Admission> tryAcquire(AdmissionRequest request) {
        return admissions.submit(request);
    }

    private List<Admission> admit(List<AdmissionRequest> requests) {
        byte[] answer = admit(AdmissionCodec.encodeRequests(UUID.randomUUID().toString(), requests, serverClock));
        if (answer == null) {
            throw new IllegalStateException("the server task " + TASK + " returned nothing");
        }
        return AdmissionCodec.decodeAdmissions(answer);
    }

    @Override
    public CompletionStage<Void> settle(Settlement settlement) {
        return settlements.submit(settlement);
    }

    private List<Void> settle(List<Settlement> batch) {
        execute(SETTLE_TASK, AdmissionCodec.encodeSettlements(batch, serverClock));
        return Collections.nCopies(batch.size(), null);
    }

    @Override
    public CompletionStage<Map<String, Long>> counters(Collection<String> keys) {
        Set<String> wanted = new HashSet<>(keys);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return cache.get().getAll(wanted);
            } catch (TransportException | RemoteCacheManagerNotStartedException | RemoteIllegalLifecycleStateException e) {
                throw unreachable(e);
            }
        }, executor);
    }

    /**
     * Sends an admission call, and again while it fails and the retry window lasts: the call id in
     * {@code request} makes every repetition answer what the first execution decided, if it did.
     */
    private byte[] admit(byte[] request) {
        // Elapsed time of this thread's own blocking calls, which the limiter's clock (wall time, for
        // buckets shared across JVMs; a test's stands still) cannot measure: the monotonic clock is right here.
        long deadline = System.nanoTime() + retryWindowNanos;
        long pauseMillis = FIRST_RETRY_PAUSE_MILLIS;
        while (true) {
            try {
                return execute(TASK, request);
            } catch (StoreUnreachableException | HotRodClientException failure) {
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMillis) > deadline || !anotherServerKnown()) {
                    throw failure;
                }
                pause(pauseMillis);
                pauseMillis = Math.min(MAX_RETRY_PAUSE_MILLIS, pauseMillis * 2);
            }
        }
    }

    /**
     * Whether the client knows of more than one server: with a single one there is nowhere else to
     * send the call, and the request learns at once that the store is down instead of after the window.
     */
    private boolean anotherServerKnown() {
        try {
            return cache.get().getCacheTopologyInfo().getSegmentsPerServer().size() > 1;
        } catch (RuntimeException notConnected) {
            return false;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnreachableException("interrupted while waiting to call Infinispan again", e);
        }
    }

    private <T> T execute(String task, byte[] request) {
        try {
            return cache.get().execute(task, Map.of("request", request));
        } catch (TransportException | RemoteCacheManagerNotStartedException | RemoteIllegalLifecycleStateException e) {
            throw unreachable(e);
        } catch (HotRodClientException e) {
            if (String.valueOf(e.getMessage()).contains(UNKNOWN_TASK)) {
                throw new StoreMisconfiguredException("no server task '" + task + "'", e);
            }
            throw e;
        }
    }

    /** Infinispan's error for a task it does not have: ISPN027002: Unknown task '...'. */
    private static final String UNKNOWN_TASK = "ISPN027002";

    // no connection, no answer in time, or a server still starting: nobody decided
    private static StoreUnreachableException unreachable(RuntimeException e) {
        return new StoreUnreachableException("Infinispan could not be reached: " + e.getMessage(), e);
    }

    @Override
    public String name() {
        return "infinispan";
    }
}
