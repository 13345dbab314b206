package dev.sluice.limit;

/**
 * A quota: at most {@code limit} tokens in one calendar window, ending at {@code windowEndNanos}. The
 * state is the number of tokens used so far in that window; each window has its own store key (see
 * {@link CalendarQuota#windowAt}), so a new window starts from nothing without anyone resetting it.
 *
 * <p>Unlike a bucket, nothing comes back before the window ends: a request that does not fit waits
 * until then, which is far longer than any max wait, so it is refused with the window's end as its
 * retry time.
 *
 * @param limit          tokens the window allows, at least 1
 * @param windowEndNanos the end of the window, wall-clock epoch nanoseconds
 */
public record QuotaPolicy(long limit, long windowEndNanos) implements LimitPolicy {

    /** Kept after the window ends, so that a request that read the clock a little early still finds it. */
    static final long RETENTION_MARGIN_NANOS = 60_000_000_000L;

    public QuotaPolicy {
        if (limit < 1) {
            throw new IllegalArgumentException("a quota needs a limit of at least 1, got " + limit);
        }
    }

    @Override
    public long capacity() {
        return limit;
    }

    @Override
    public long waitNanos(long state, long tokens, long nowNanos) {
        requirePositive(tokens);
        if (tokens > limit) {
            return BucketPolicy.NEVER;
        }
        if (used(state) <= limit - tokens) {
            return 0;
        }
        // A window that has ended is no longer this quota's business: the next request is keyed
        // to the new window. A request racing the boundary passes rather than waiting forever.
        return Math.max(0, windowEndNanos - nowNanos);
    }

    @Override
    public long chargedState(long state, long tokens, long atNanos) {
        requirePositive(tokens);
        return Saturating.add(used(state), tokens);
    }

    @Override
    public long settledState(long state, long deltaTokens, long nowNanos) {
        long used = used(state);
        long settled = Saturating.add(used, deltaTokens);
        long mostUsed = limit > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * limit; // one whole window in debt
        return Math.max(0, Math.min(settled, mostUsed));
    }

    @Override
    public long cappedState(long state, long availableAtMost, long nowNanos) {
        return Math.max(used(state), limit - Math.max(0, Math.min(availableAtMost, limit)));
    }

    @Override
    public BucketSnapshot snapshot(long state, long nowNanos) {
        long used = used(state);
        long untilReset = used == 0 ? 0 : Math.max(0, windowEndNanos - nowNanos);
        return new BucketSnapshot(limit, Math.max(0, limit - used), untilReset);
    }

    @Override
    public long retentionNanos(long state, long nowNanos) {
        return Math.max(0, windowEndNanos - nowNanos) + RETENTION_MARGIN_NANOS;
    }

    @Override
    public QuotaPolicy scaledTo(double share) {
        return new QuotaPolicy(Math.max(1, (long) (limit * share)), windowEndNanos);
    }

    /** Tokens used: a missing (or corrupt, negative) state is an unused window. */
    private static long used(long state) {
        return Math.max(0, state);
    }

    private static void requirePositive(long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("a charge takes at least 1 token, got " + tokens);
        }
    }
}
