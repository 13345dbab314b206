package dev.sluice.limit;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Admits requests against their buckets, and settles them, at the current time. The only place that
 * reads the clock.
 */
public final class RateLimiter {

    private final BucketStore store;
    private final TimeSource timeSource;
    private final long maxWaitNanos;

    /**
     * @param maxWaitNanos how long a request may be held for its tokens; 0 refuses at once
     */
    public RateLimiter(BucketStore store, TimeSource timeSource, long maxWaitNanos) {
        this.store = Objects.requireNonNull(store, "store");
        this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
        if (maxWaitNanos < 0) {
            throw new IllegalArgumentException("max wait must not be negative, got " + maxWaitNanos + " ns");
        }
        this.maxWaitNanos = maxWaitNanos;
    }

    /** Charges every bucket or none; see {@link BucketStore#tryAcquire}. */
    public CompletionStage<Admission> tryAcquire(List<BucketCharge> charges) {
        return tryAcquire(charges, maxWaitNanos);
    }

    /** The same with a max wait of its own, e.g. what is left of a retry's time. */
    public CompletionStage<Admission> tryAcquire(List<BucketCharge> charges, long maxWaitNanos) {
        return store.tryAcquire(new AdmissionRequest(charges, timeSource.nowNanos(), maxWaitNanos));
    }

    /**
     * Corrects reservations and adds to counters at the current time; see {@link BucketStore#settle}.
     * Nothing to do completes at once.
     */
    public CompletionStage<Void> settle(List<BucketAdjustment> adjustments, List<CounterIncrement> counters) {
        if (adjustments.isEmpty() && counters.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.settle(new Settlement(adjustments, counters, timeSource.nowNanos()));
    }

    /** The current wall-clock time of this limiter, epoch nanoseconds: what windows and counters are keyed by. */
    public long nowNanos() {
        return timeSource.nowNanos();
    }

    public BucketStore store() {
        return store;
    }
}
