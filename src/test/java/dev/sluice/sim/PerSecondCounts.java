package dev.sluice.sim;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Events per whole second, kept for the last {@link #SECONDS} seconds in a ring: a slot is
 * recycled (zeroed under a lock) once, when the first event of a new second lands in it; every
 * other increment is one atomic add.
 */
final class PerSecondCounts {

    static final int SECONDS = 3600;

    private final AtomicLongArray counts = new AtomicLongArray(SECONDS);
    private final AtomicLongArray secondOfSlot = new AtomicLongArray(SECONDS);

    PerSecondCounts() {
        for (int slot = 0; slot < SECONDS; slot++) {
            secondOfSlot.set(slot, slot); // slot i starts as second i, with 0 events
        }
    }

    void increment(long second) {
        int slot = (int) (second % SECONDS);
        if (secondOfSlot.get(slot) != second) {
            synchronized (this) {
                if (secondOfSlot.get(slot) < second) {
                    counts.set(slot, 0);
                    secondOfSlot.set(slot, second); // after the zeroing: who sees the new second sees 0 or more
                } else if (secondOfSlot.get(slot) > second) {
                    return; // more than an hour late: already out of the window
                }
            }
        }
        counts.incrementAndGet(slot);
    }

    /** Counts of seconds {@code fromSecond..toSecond} inclusive; a second with no events is 0. */
    long[] range(long fromSecond, long toSecond) {
        long[] values = new long[(int) (toSecond - fromSecond + 1)];
        for (long second = fromSecond; second <= toSecond; second++) {
            int slot = (int) (second % SECONDS);
            values[(int) (second - fromSecond)] = secondOfSlot.get(slot) == second ? counts.get(slot) : 0;
        }
        return values;
    }
}
