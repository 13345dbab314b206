package dev.sluice.upstream;

import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter (the AWS architecture blog's "full jitter"): before retry
 * {@code n} (1, 2, …) wait a uniformly random time in {@code [0, min(max, base × 2^(n-1))]}, so that
 * callers who failed together do not come back together; and never less than the upstream advised.
 *
 * @param baseMillis first retry's ceiling
 * @param maxMillis  ceiling of any retry's random part
 */
public record Backoff(long baseMillis, long maxMillis) {

    public Backoff {
        if (baseMillis < 1 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("backoff needs 1 <= base <= max, got " + baseMillis + " and " + maxMillis);
        }
    }

    /**
     * @param retry          1 for the first retry
     * @param advisedMillis  what the upstream asked for, 0 when nothing
     * @param random         uniform in [0, 1)
     */
    public long delayMillis(int retry, long advisedMillis, DoubleSupplier random) {
        long ceiling = baseMillis << Math.min(Math.max(0, retry - 1), 30);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        }
        long jittered = (long) (random.getAsDouble() * (ceiling + 1));
        return Math.max(Math.min(jittered, ceiling), advisedMillis);
    }
}
