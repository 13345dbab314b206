package dev.sluice.upstream;

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
    private final long[] slotStart = new long[SLOTS];
    private final long[] firstAttempts = new long[SLOTS];
    private final long[] retries = new long[SLOTS];
    /** Per caller: its first attempts and retries in the window, slot by slot. */
    private final java.util.HashMap<String, Counts> callers = new java.util.HashMap<>();

    /** One window's counts, in the budget's ten slots. */
    private static final class Counts {
        final long[] slotStart = new long[SLOTS];
        final long[] firstAttempts = new long[SLOTS];
        final long[] retries = new long[SLOTS];

        Counts() {
            java.util.Arrays.fill(slotStart, Long.MIN_VALUE);
        }
    }

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

    /** A first attempt was made, by {@code caller}. */
    public synchronized void recordFirstAttempt(String caller, long nowNanos) {
        firstAttempts[slot(slotStart, firstAttempts, retries, nowNanos)]++;
        Counts own = callers.get(caller);
        if (own == null) {
            if (callers.size() >= MAX_CALLERS) {
                callers.values().removeIf(counts -> !inWindow(counts.slotStart, nowNanos));
                if (callers.size() >= MAX_CALLERS) {
                    callers.clear(); // a flood of callers: their own budgets start afresh, the shared one holds
                }
            }
            own = new Counts();
            callers.put(caller, own);
        }
        own.firstAttempts[slot(own.slotStart, own.firstAttempts, own.retries, nowNanos)]++;
    }

    /** Takes one retry from {@code caller}'s budget and from the shared one, if both have one. */
    public synchronized boolean tryRetry(String caller, long nowNanos) {
        int current = slot(slotStart, firstAttempts, retries, nowNanos);
        if (!fits(slotStart, firstAttempts, retries, minRetries, nowNanos)) {
            return false;
        }
        Counts own = callers.get(caller);
        int ownCurrent = -1;
        if (own != null) {
            ownCurrent = slot(own.slotStart, own.firstAttempts, own.retries, nowNanos);
            if (!fits(own.slotStart, own.firstAttempts, own.retries, (minRetries + 1) / 2, nowNanos)) {
                return false;
            }
        }
        retries[current]++;
        if (own != null) {
            own.retries[ownCurrent]++;
        }
        return true;
    }

    /** Whether one more retry keeps a window's retries within its ratio of first attempts, or its floor. */
    private boolean fits(long[] starts, long[] attempts, long[] retried, long floor, long nowNanos) {
        long windowAttempts = 0;
        long windowRetries = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (starts[i] != Long.MIN_VALUE && nowNanos - starts[i] < SLOTS * slotNanos) {
                windowAttempts += attempts[i];
                windowRetries += retried[i];
            }
        }
        return windowRetries + 1 <= Math.max(floor, (long) Math.floor(ratio * windowAttempts));
    }

    private boolean inWindow(long[] starts, long nowNanos) {
        for (long start : starts) {
            if (start != Long.MIN_VALUE && nowNanos - start < SLOTS * slotNanos) {
                return true;
            }
        }
        return false;
    }

    private int slot(long[] starts, long[] attempts, long[] retried, long nowNanos) {
        long slotNumber = Math.floorDiv(nowNanos, slotNanos);
        int index = (int) Math.floorMod(slotNumber, SLOTS);
        long start = slotNumber * slotNanos;
        if (starts[index] != start) { // a slot from an earlier turn of the window: start it afresh
            starts[index] = start;
            attempts[index] = 0;
            retried[index] = 0;
        }
        return index;
    }
}
