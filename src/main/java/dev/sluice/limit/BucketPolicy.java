package dev.sluice.limit;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket: it holds at most {@code capacity} tokens and refills at {@code refillRate}.
 *
 * <p>The bucket's state is a single number, the theoretical arrival time (TAT) of GCRA, in epoch
 * nanoseconds: the moment at which the bucket would be full again if nothing else were taken. A TAT
 * at or before now means a full bucket, so a missing entry and an expired one mean the same thing.
 * Taking {@code n} tokens moves the TAT forward by {@code n} emission intervals; the bucket allows it
 * while the TAT stays within {@code capacity} intervals of now. One long is the cheapest state to
 * keep in a shared store (see docs/architecture.md).
 *
 * <p>All arithmetic is on longs: floats would drift, and the products are bounded here so they
 * cannot overflow (see {@link #MAX_BURST_TOLERANCE_NANOS}).
 */
public final class BucketPolicy implements LimitPolicy {

    /**
     * The longest time an empty bucket may take to fill: ten years. It keeps
     * {@code now + 2 × tolerance} far below {@link Long#MAX_VALUE} for centuries.
     */
    public static final long MAX_BURST_TOLERANCE_NANOS = TimeUnit.DAYS.toNanos(3653);

    /** What {@link #waitNanos} answers when the tokens can never fit: more than the capacity. */
    public static final long NEVER = Long.MAX_VALUE;

    private final long capacity;
    private final Rate refillRate;
    private final long emissionIntervalNanos;
    private final long burstToleranceNanos;

    public BucketPolicy(long capacity, Rate refillRate) {
        Objects.requireNonNull(refillRate, "refillRate");
        if (capacity < 1) {
            throw new IllegalArgumentException("a bucket needs a capacity of at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.refillRate = refillRate;
        this.emissionIntervalNanos = refillRate.emissionIntervalNanos();
        if (capacity > MAX_BURST_TOLERANCE_NANOS / emissionIntervalNanos) {
            throw new IllegalArgumentException("a bucket of " + capacity + " tokens at " + refillRate
                    + " would take more than ten years to refill; lower the capacity or raise the rate");
        }
        this.burstToleranceNanos = capacity * emissionIntervalNanos;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    public Rate refillRate() {
        return refillRate;
    }

    /** Nanoseconds to refill one token. */
    public long emissionIntervalNanos() {
        return emissionIntervalNanos;
    }

    /**
     * How long a request for {@code tokens} must wait, from {@code nowNanos}, until the bucket holds
     * them: 0 when it does now, {@link #NEVER} when {@code tokens} exceeds the capacity.
     */
    @Override
    public long waitNanos(long tatNanos, long tokens, long nowNanos) {
        requirePositive(tokens);
        if (tokens > capacity) {
            return NEVER;
        }
        long chargedTat = chargedTatNanos(tatNanos, tokens, nowNanos);
        return Math.max(0, chargedTat - nowNanos - burstToleranceNanos);
    }

    /**
     * The TAT after taking {@code tokens} at {@code atNanos}. The caller has checked with
     * {@link #waitNanos} that they fit at that moment.
     */
    public long chargedTatNanos(long tatNanos, long tokens, long atNanos) {
        requirePositive(tokens);
        if (tokens > capacity) {
            throw new IllegalArgumentException(tokens + " tokens never fit a bucket of " + capacity);
        }
        // tokens <= capacity, so tokens × interval <= burst tolerance: the product cannot overflow.
        return Saturating.add(Math.max(tatNanos, atNanos), tokens * emissionIntervalNanos);
    }

    @Override
    public long chargedState(long tatNanos, long tokens, long atNanos) {
        return chargedTatNanos(tatNanos, tokens, atNanos);
    }

    /**
     * Gives back (negative) or takes more (positive) tokens by moving the TAT. A refund never makes a
     * bucket fuller than full; extra tokens may leave it in debt, at most one whole bucket beyond empty,
     * so that one request whose real cost was far above its estimate cannot shut a bucket for ages.
     */
    @Override
    public long settledState(long tatNanos, long deltaTokens, long nowNanos) {
        if (deltaTokens == 0) {
            return tatNanos;
        }
        // |delta| is capped at twice the capacity, so the product stays below 2 × ten years of nanos.
        long cappedTokens = Math.min(Math.abs(Math.max(deltaTokens, -Long.MAX_VALUE)), 2 * capacity);
        long shiftNanos = cappedTokens * emissionIntervalNanos;
        if (deltaTokens < 0) {
            return tatNanos <= nowNanos ? tatNanos : Math.max(nowNanos, Saturating.subtract(tatNanos, shiftNanos));
        }
        long mostDebtTat = Saturating.add(nowNanos, 2 * burstToleranceNanos);
        return Math.min(mostDebtTat, Saturating.add(Math.max(tatNanos, nowNanos), shiftNanos));
    }

    @Override
    public long cappedState(long tatNanos, long availableAtMost, long nowNanos) {
        long cap = Math.max(0, Math.min(availableAtMost, capacity));
        if (availableTokens(tatNanos, nowNanos) <= cap) {
            return tatNanos;
        }
        // (capacity - cap) tokens taken as of now: cap whole tokens left
        return Saturating.add(nowNanos, (capacity - cap) * emissionIntervalNanos);
    }

    /** Until the bucket is full again: after that, a missing entry is the same full bucket. */
    @Override
    public long retentionNanos(long tatNanos, long nowNanos) {
        return nanosUntilFull(tatNanos, nowNanos);
    }

    @Override
    public BucketPolicy scaledTo(double share) {
        return new BucketPolicy(Math.max(1, (long) (capacity * share)),
                new Rate(Math.max(1, (long) (refillRate.tokens() * share)), refillRate.periodNanos()));
    }

    /** Whole tokens the bucket holds at {@code nowNanos}, from 0 to the capacity. */
    public long availableTokens(long tatNanos, long nowNanos) {
        long debtNanos = Math.max(0, Saturating.subtract(tatNanos, nowNanos));
        if (debtNanos >= burstToleranceNanos) {
            return 0;
        }
        return (burstToleranceNanos - debtNanos) / emissionIntervalNanos;
    }

    /** Nanoseconds from {@code nowNanos} until the bucket is full again; 0 when it is full. */
    public long nanosUntilFull(long tatNanos, long nowNanos) {
        return Math.max(0, Saturating.subtract(tatNanos, nowNanos));
    }

    /** The snapshot that rate-limit headers describe. */
    @Override
    public BucketSnapshot snapshot(long tatNanos, long nowNanos) {
        return new BucketSnapshot(capacity, availableTokens(tatNanos, nowNanos), nanosUntilFull(tatNanos, nowNanos));
    }

    private static void requirePositive(long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("a charge takes at least 1 token, got " + tokens);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BucketPolicy that && capacity == that.capacity && refillRate.equals(that.refillRate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(capacity, refillRate);
    }

    @Override
    public String toString() {
        return "BucketPolicy[capacity=" + capacity + ", refillRate=" + refillRate + "]";
    }
}
