package dev.sluice.admission;

import dev.sluice.limit.BucketCharge;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The rule for an attempt that leaves later than its admission allowed (an instance still cold, a
 * pause): it would reach the upstream closer to the ones admitted after it than their admissions
 * allowed, in a clump the upstream's one-second bucket refuses. So, past {@link #SLACK_NANOS}, it takes
 * a fresh place in its upstream's requests bucket, held up to {@link #MAX_HOLD_NANOS} for it; the place
 * it had stays used. Giving that place back was measured and is wrong: the upstream's bucket refilled
 * while the attempt was late, but the late clump itself takes that refill, so a place given back lets
 * one more through at once (6–8 upstream 429s in the scale-out scenario instead of 0). Without a
 * requests limit, or refused even so, it goes as it is.
 */
public final class LateSend {

    /**
     * How much later than its admission allowed an attempt may leave as it is: half the margin the
     * default upstream burst keeps (90 % of a second's worth, so 100 ms of refill).
     */
    public static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(75);
    /** How long a late attempt may be held for a fresh place in its upstream's requests bucket. */
    public static final long MAX_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private LateSend() {
    }

    /** The fresh place the attempt must take before it leaves at {@code nowNanos}; empty when it may go as it is. */
    public static Optional<BucketCharge> freshPlace(Lease lease, UpstreamLimits limits, long nowNanos) {
        long lateNanos = nowNanos - lease.sendAtNanos();
        if (lateNanos <= SLACK_NANOS || limits.requests().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BucketCharge(limits.requestsKey(), limits.requests().get(), 1));
    }
}
