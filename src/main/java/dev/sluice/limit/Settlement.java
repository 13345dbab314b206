package dev.sluice.limit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a store applies after a request: corrections of its reservations, and usage counters. Unlike
 * an admission it refuses nothing, so it can be sent late, batched, or lost without letting anyone
 * exceed a limit by more than the estimate's error.
 *
 * @param adjustments corrections of charged keys, each key at most once
 * @param counters    counters to add to, each key at most once and none that is also adjusted
 * @param nowNanos    the moment of the settlement, wall-clock epoch nanoseconds
 */
public record Settlement(List<BucketAdjustment> adjustments, List<CounterIncrement> counters, long nowNanos) {

    public Settlement {
        adjustments = List.copyOf(adjustments);
        counters = List.copyOf(counters);
        if (adjustments.isEmpty() && counters.isEmpty()) {
            throw new IllegalArgumentException("a settlement needs at least one adjustment or counter");
        }
        List<String> keys = keys(adjustments, counters);
        if (keys.stream().distinct().count() != keys.size()) {
            throw new IllegalArgumentException("a settlement names a key twice: " + keys);
        }
    }

    /** Every key the settlement writes: adjustments first, then counters. */
    public List<String> keys() {
        return keys(adjustments, counters);
    }

    /**
     * The states to store for the adjusted keys, given their current states in adjustment order
     * ({@link LimitPolicy#MISSING} for a missing key).
     */
    public long[] settledStates(long[] states) {
        Objects.requireNonNull(states, "states");
        if (states.length != adjustments.size()) {
            throw new IllegalArgumentException("expected " + adjustments.size() + " states, got " + states.length);
        }
        long[] settled = new long[states.length];
        for (int i = 0; i < states.length; i++) {
            BucketAdjustment adjustment = adjustments.get(i);
            settled[i] = adjustment.cap()
                    ? adjustment.policy().cappedState(states[i], adjustment.deltaTokens(), nowNanos)
                    : adjustment.policy().settledState(states[i], adjustment.deltaTokens(), nowNanos);
        }
        return settled;
    }

    /** A counter's value after the increment, from its current value (missing counts as 0). */
    public static long incremented(long current, long amount) {
        long base = Math.max(0, current);
        return base > Long.MAX_VALUE - amount ? Long.MAX_VALUE : base + amount;
    }

    private static List<String> keys(List<BucketAdjustment> adjustments, List<CounterIncrement> counters) {
        List<String> keys = new ArrayList<>(adjustments.size() + counters.size());
        adjustments.forEach(adjustment -> keys.add(adjustment.key()));
        counters.forEach(counter -> keys.add(counter.key()));
        return keys;
    }
}
