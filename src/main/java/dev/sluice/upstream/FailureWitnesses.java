package dev.sluice.upstream;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Which failed attempts an upstream's circuit breaker counts: only those made while the failures of
 * the last minute came from at least {@code distinctCallers} callers. A request whose content makes
 * the upstream answer 500 fails the same way each time it is sent; one caller sending many of them
 * must not cut every other caller off from the upstream (issue 17). When the upstream itself is
 * down, every caller fails, and the breaker opens as before, a few attempts later.
 *
 * <p>A failure that does not count is, to SmallRye's breaker, a success: it also ends a run of
 * counted failures, so one caller's failures cannot help another's open the breaker either. Pure:
 * time is passed in; thread-safe.
 */
final class FailureWitnesses {

    /** How long a failure is remembered as evidence. */
    static final long WINDOW_NANOS = 60_000_000_000L;
    /** Failures remembered at most: beyond that the oldest is forgotten first (callers choose how often they fail). */
    static final int MAX_REMEMBERED = 256;

    private record Failure(String caller, long atNanos) {
    }

    private final int distinctCallers;
    private final ArrayDeque<Failure> recent = new ArrayDeque<>();
    private final Map<String, Integer> failuresByCaller = new HashMap<>();

    /** @param distinctCallers callers whose recent failures it takes to open the breaker; 1 counts every failure */
    FailureWitnesses(int distinctCallers) {
        if (distinctCallers < 1) {
            throw new IllegalArgumentException("distinctCallers must be at least 1, got " + distinctCallers);
        }
        this.distinctCallers = distinctCallers;
    }

    /**
     * Records a failed attempt of {@code caller}.
     *
     * @return whether it counts toward opening the breaker
     */
    synchronized boolean counts(String caller, long nowNanos) {
        while (!recent.isEmpty() && (recent.size() >= MAX_REMEMBERED || nowNanos - recent.peekFirst().atNanos() >= WINDOW_NANOS)) {
            forget(recent.removeFirst());
        }
        recent.addLast(new Failure(caller, nowNanos));
        failuresByCaller.merge(caller, 1, Integer::sum);
        return failuresByCaller.size() >= distinctCallers;
    }

    private void forget(Failure failure) {
        failuresByCaller.computeIfPresent(failure.caller(), (caller, count) -> count == 1 ? null : count - 1);
    }
}
