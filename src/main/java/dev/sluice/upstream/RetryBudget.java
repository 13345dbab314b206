package dev.sluice.upstream;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Retries may add at most {@code ratio} of the first attempts over a sliding window (Finagle's retry
 * budget): when an upstream fails a lot, most failures are then relayed rather than multiplied, so
 * retries never turn an overloaded upstream's trouble into more load. A few retries per window are
 * always allowed ({@code minRetries}), so that a quiet service still retries its occasional failure.
 *
 * <p>Each caller also has a budget of its own, by the same ratio of its own first attempts, with half
 * the floor: a caller whose requests keep failing (their content, their size) spends its own retries,
 * never the others' (issue 17: no caller degrades service for the others). Callers are remembered
 * while they have attempts in the window, {@value #MAX_CALLERS} at most. Time is passed in.
 */
public final class RetryBudget {

    private static final int SLOTS = 10;
    static final int MAX_CALLERS = 10_000;

    private final double ratio;
    private final long minRetries;
    private final long slotNanos;
    /** Everyone's first attempts and retries in the window. */
    private final Window shared = new Window();
    /** Each caller's, while it has any in the window. */
    private final HashMap<String, Window> callers = new HashMap<>();

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
    }

    /** A first attempt was made, by {@code caller}. */
    public synchronized void recordFirstAttempt(String caller, long nowNanos) {
        shared.firstAttempts[shared.slot(nowNanos)]++;
        Window own = callers.get(caller);
        if (own == null) {
            if (callers.size() >= MAX_CALLERS) {
                callers.values().removeIf(window -> !window.holdsAny(nowNanos));
                if (callers.size() >= MAX_CALLERS) {
                    callers.clear(); // a flood of callers: their own budgets start afresh, the shared one holds
                }
            }
            own = new Window();
            callers.put(caller, own);
        }
        own.firstAttempts[own.slot(nowNanos)]++;
    }

    /** Takes one retry from {@code caller}'s budget and from the shared one, if both have one. */
    public synchronized boolean tryRetry(String caller, long nowNanos) {
        Window own = callers.get(caller);
        if (!shared.fits(minRetries, nowNanos) || (own != null && !own.fits((minRetries + 1) / 2, nowNanos))) {
            return false;
        }
        shared.retries[shared.slot(nowNanos)]++;
        if (own != null) {
            own.retries[own.slot(nowNanos)]++;
        }
        return true;
    }

    /** First attempts and retries over the sliding window, in ten slots. */
    private final class Window {
        final long[] slotStart = new long[SLOTS];
        final long[] firstAttempts = new long[SLOTS];
        final long[] retries = new long[SLOTS];

        Window() {
            Arrays.fill(slotStart, Long.MIN_VALUE);
        }

        /** Whether one more retry keeps its retries within the ratio of its first attempts, or within {@code floor}. */
        boolean fits(long floor, long nowNanos) {
            long windowAttempts = 0;
            long windowRetries = 0;
            for (int i = 0; i < SLOTS; i++) {
                if (inWindow(i, nowNanos)) {
                    windowAttempts += firstAttempts[i];
                    windowRetries += retries[i];
                }
            }
            return windowRetries + 1 <= Math.max(floor, (long) Math.floor(ratio * windowAttempts));
        }

        boolean holdsAny(long nowNanos) {
            for (int i = 0; i < SLOTS; i++) {
                if (inWindow(i, nowNanos)) {
                    return true;
                }
            }
            return false;
        }

        private boolean inWindow(int slot, long nowNanos) {
            return slotStart[slot] != Long.MIN_VALUE && nowNanos - slotStart[slot] < SLOTS * slotNanos;
        }

        /** The slot of {@code nowNanos}, started afresh when it last held an earlier turn of the window. */
        int slot(long nowNanos) {
            long slotNumber = Math.floorDiv(nowNanos, slotNanos);
            int index = (int) Math.floorMod(slotNumber, SLOTS);
            long start = slotNumber * slotNanos;
            if (slotStart[index] != start) {
                slotStart[index] = start;
                firstAttempts[index] = 0;
                retries[index] = 0;
            }
            return index;
        }
    }
}
