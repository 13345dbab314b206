package dev.sluice.limit;

/**
 * A pause the upstream asked for: nothing passes until the stored moment (wall-clock epoch nanos).
 * Charging it takes nothing; it only makes a request wait, or be refused, until the pause is over.
 * A settlement with a positive {@code deltaTokens} starts or extends it: that is the pause's length in
 * milliseconds, and the pause ends at the later of the stored end and now plus that (never sooner than
 * asked). One with a negative delta lifts it: it ends now (the upstream has shown capacity again).
 */
public record CooldownPolicy() implements LimitPolicy {

    public static final CooldownPolicy INSTANCE = new CooldownPolicy();
    private static final long NANOS_PER_MILLI = 1_000_000L;

    @Override
    public long capacity() {
        return 1;
    }

    @Override
    public long waitNanos(long state, long tokens, long nowNanos) {
        return state == MISSING ? 0 : Math.max(0, Saturating.subtract(state, nowNanos));
    }

    @Override
    public long chargedState(long state, long tokens, long atNanos) {
        return state;
    }

    @Override
    public long settledState(long state, long deltaTokens, long nowNanos) {
        if (deltaTokens < 0) {
            return state == MISSING ? MISSING : Math.min(state, nowNanos);
        }
        long end = Saturating.add(nowNanos, Math.min(deltaTokens, Long.MAX_VALUE / NANOS_PER_MILLI) * NANOS_PER_MILLI);
        return state == MISSING ? end : Math.max(state, end);
    }

    @Override
    public long cappedState(long state, long availableAtMost, long nowNanos) {
        return state;
    }

    @Override
    public BucketSnapshot snapshot(long state, long nowNanos) {
        long remainingNanos = waitNanos(state, 1, nowNanos);
        return new BucketSnapshot(1, remainingNanos > 0 ? 0 : 1, remainingNanos);
    }

    @Override
    public long retentionNanos(long state, long nowNanos) {
        return waitNanos(state, 1, nowNanos);
    }

    @Override
    public CooldownPolicy scaledTo(double share) {
        return this; // a pause is the same for every instance
    }
}
