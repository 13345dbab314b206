package dev.sluice.sim;

/**
 * One continuous-refill token bucket, in doubles. Plain on purpose and written apart from
 * {@code dev.sluice.limit}: the simulator judges Sluice's limiter, so it must not share its code.
 * Not thread-safe; {@link KeyLimiter} guards it.
 */
final class TokenBucket {

    /** Slack for floating-point refill: a client that waits exactly the advised time must fit. */
    private static final double EPSILON = 1e-6;

    private final long limitPerMinute;
    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long lastRefillNanos;

    TokenBucket(long limitPerMinute, double bucketSeconds, long nowNanos) {
        this.limitPerMinute = limitPerMinute;
        this.tokensPerNano = limitPerMinute / 60e9;
        this.capacity = Math.max(1, limitPerMinute / 60.0 * bucketSeconds);
        fill(nowNanos);
    }

    long limitPerMinute() {
        return limitPerMinute;
    }

    void fill(long nowNanos) {
        tokens = capacity;
        lastRefillNanos = nowNanos;
    }

    void refill(long nowNanos) {
        if (nowNanos > lastRefillNanos) {
            tokens = Math.min(capacity, tokens + (nowNanos - lastRefillNanos) * tokensPerNano);
            lastRefillNanos = nowNanos;
        }
    }

    /** True when no wait can ever admit {@code amount}: more than the per-minute limit (OpenAI's "Request too large"). */
    boolean neverFits(long amount) {
        return amount > limitPerMinute && amount > capacity;
    }

    /**
     * Nanoseconds until {@code amount} fits, 0 when it fits now. An amount above the capacity needs a
     * full bucket and then leaves it in debt: a request larger than the short-period burst but within
     * the per-minute limit does pass at OpenAI, and the debt makes the following ones wait for it.
     */
    long nanosUntilFits(long amount) {
        double needed = Math.min(amount, capacity);
        return tokens >= needed - EPSILON ? 0 : (long) Math.ceil((needed - tokens) / tokensPerNano);
    }

    void take(long amount) {
        tokens -= amount;
    }

    /** Takes {@code delta} more (positive) or gives it back (negative), never above capacity. */
    void correct(long delta) {
        tokens = Math.min(capacity, tokens - delta);
    }

    /** Whole tokens in the bucket now, never negative. */
    long remaining() {
        return Math.max(0, (long) Math.floor(tokens + EPSILON));
    }

    long nanosUntilFull() {
        return tokens >= capacity - EPSILON ? 0 : (long) Math.ceil((capacity - tokens) / tokensPerNano);
    }
}
