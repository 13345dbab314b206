package dev.sluice.infinispan.task;

import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.infinispan.tasks.TaskContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What Sluice's server tasks share: the buckets cache, a pessimistic transaction in which a set of
 * keys is locked in key order before it is read, and writes with a lifespan.
 *
 * <p>Locking every key first, all in the same order, makes each task's read-compute-write atomic
 * against every other task on any of those keys (on this node or, in a cluster, another), without
 * deadlocks; a task that decides to write nothing rolls back.
 */
final class LockedBuckets implements AutoCloseable {

    /** Kept after an entry's retention, so a request that read the clock a little late still finds it. */
    private static final long LIFESPAN_MARGIN_MILLIS = 1000;

    /** Bucket states and counters are longs; a call's answer ({@link #answer}) is bytes. */
    private final AdvancedCache<String, Object> cache;
    private final TransactionManager transactions;
    private boolean finished;

    private LockedBuckets(AdvancedCache<String, Object> cache, TransactionManager transactions) {
        this.cache = cache;
        this.transactions = transactions;
    }

    /** Begins a transaction on the task's cache and locks {@code keys}. */
    @SuppressWarnings("unchecked")
    static LockedBuckets lock(TaskContext context, String taskName, List<String> keys) throws Exception {
        AdvancedCache<String, Object> cache = (AdvancedCache<String, Object>) context.getCache()
                .orElseThrow(() -> new IllegalStateException(taskName + " must be executed on the buckets cache"))
                .getAdvancedCache();
        TransactionManager transactions = cache.getTransactionManager();
        if (transactions == null) {
            throw new IllegalStateException("cache '" + cache.getName() + "' must be transactional (PESSIMISTIC)");
        }
        transactions.begin();
        LockedBuckets locked = new LockedBuckets(cache, transactions);
        try {
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(null);
            // One key at a time: lock(Collection) asks each key's primary owner at once, so in a cluster
            // two tasks can each hold one of two keys and wait for the other until the lock timeout
            for (String key : sorted) {
                cache.lock(key);
            }
        } catch (Throwable failure) {
            locked.close();
            throw failure;
        }
        return locked;
    }

    /** The request parameter every Sluice task takes. */
    static byte[] requestBytes(TaskContext context, String taskName) {
        Object bytes = context.getParameters().map(parameters -> parameters.get("request")).orElse(null);
        if (!(bytes instanceof byte[] requestBytes)) {
            throw new IllegalArgumentException(taskName + " needs the parameter 'request' as bytes");
        }
        return requestBytes;
    }

    /** The stored value, or {@code missing}. */
    long get(String key, long missing) {
        Object stored = cache.get(key);
        return stored instanceof Long value ? value : missing;
    }

    void put(String key, long value, long retentionNanos) {
        long lifespanMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, retentionNanos)) + LIFESPAN_MARGIN_MILLIS;
        cache.withFlags(Flag.IGNORE_RETURN_VALUES).put(key, value, lifespanMillis, TimeUnit.MILLISECONDS);
    }

    /** The answer stored under {@code key} by an earlier execution of the same call, or null. */
    byte[] answer(String key) {
        return cache.get(key) instanceof byte[] answer ? answer : null;
    }

    void putAnswer(String key, byte[] answer, long lifespanMillis) {
        cache.withFlags(Flag.IGNORE_RETURN_VALUES).put(key, answer, lifespanMillis, TimeUnit.MILLISECONDS);
    }

    void commit() throws Exception {
        finished = true;
        transactions.commit();
    }

    /** Rolls back unless committed. */
    @Override
    public void close() throws Exception {
        if (!finished && transactions.getStatus() != Status.STATUS_NO_TRANSACTION) {
            finished = true;
            transactions.rollback();
        }
    }

    static long serverNowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
