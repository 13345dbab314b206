package dev.sluice.upstream;

/**
 * Retries may add at most {@code ratio} of the first attempts over a sliding window (Finagle's retry
 * budget): when an upstream fails a lot, most failures are then relayed rather than multiplied, so
 * retries never turn an overloaded upstream's trouble into more load. A few retries per window are
 * always allowed ({@code minRetries}), so that a quiet service still retries its occasional failure.
 * Time is passed in.
 */
public final class RetryBudget {

    private static final int SLOTS = 10;

    private final double ratio;
    private final long minRetries;
    private final long slotNanos;
    private final long[] slotStart = new long[SLOTS];
    private final long[] firstAttempts = new long[SLOTS];
    private final long[] retries = new long[SLOTS];

    /**
     * @param ratio       retries allowed per first attempt, e.g. 0.1
     * @param minRetries  retries allowed per window whatever the traffic
     * @param windowNanos the sliding window, split in ten slots
     */
    public RetryBudget(double ratio, long minRetries, long windowNanos) {
        if (!(ratio >= 0 && ratio <= 10) || windowNanos < SLOTS) {
            throw new IllegalArgumentException("a retry budget needs a ratio in [0, 10] and a window, got " + ratio);
        }
        this.ratio = ratio;
        this.minRetries = Math.max(0, minRetries);
        this.slotNanos = windowNanos / SLOTS;
        java.util.Arrays.fill(slotStart, Long.MIN_VALUE);
    }

    /** A first attempt was made. */
    public synchronized void recordFirstAttempt(long nowNanos) {
        firstAttempts[slot(nowNanos)]++;
    }

    /** Takes one retry from the budget if there is one. */
    public synchronized boolean tryRetry(long nowNanos) {
        int current = slot(nowNanos);
        long windowAttempts = 0;
        long windowRetries = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (slotStart[i] != Long.MIN_VALUE && nowNanos - slotStart[i] < SLOTS * slotNanos) {
                windowAttempts += firstAttempts[i];
                windowRetries += retries[i];
            }
        }
        if (windowRetries + 1 > Math.max(minRetries, (long) Math.floor(ratio * windowAttempts))) {
            return false;
        }
        retries[current]++;
        return true;
    }

    private int slot(long nowNanos) {
        long slotNumber = Math.floorDiv(nowNanos, slotNanos);
        int index = (int) Math.floorMod(slotNumber, SLOTS);
        long start = slotNumber * slotNanos;
        if (slotStart[index] != start) { // a slot from an earlier turn of the window: start it afresh
            slotStart[index] = start;
            firstAttempts[index] = 0;
            retries[index] = 0;
        }
        return index;
    }
}
