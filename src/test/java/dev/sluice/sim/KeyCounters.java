package dev.sluice.sim;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one key's requests came to since the last reset. Each request is counted once, when it is
 * judged on arrival: ok, rate limited, server error or fault (reset, hang, abort).
 */
final class KeyCounters {

    private static final long NEVER = Long.MIN_VALUE;

    final LongAdder ok = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder serverErrors = new LongAdder();
    final LongAdder faults = new LongAdder();
    final LongAdder badRequests = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final LongAdder tokensCharged = new LongAdder();
    /** Requests that arrived while a retry-after this key was given had not passed yet. */
    final LongAdder callsBeforeRetryAfter = new LongAdder();
    final PerSecondCounts okPerSecond = new PerSecondCounts();
    private final AtomicLong advisedUntilNanos = new AtomicLong(NEVER);
    final PerSecondCounts rateLimitedPerSecond = new PerSecondCounts();
    private final AtomicLong firstOkNanos = new AtomicLong(NEVER);
    private final AtomicLong lastOkNanos = new AtomicLong(NEVER);
    /** Admitted requests not answered yet, and the most there were at once: what a concurrency limit caps. */
    private final AtomicLong inFlight = new AtomicLong();
    final AtomicLong mostInFlight = new AtomicLong();

    /** An admitted request starts; {@link #recordEnded} once when its answer is over or its connection gone. */
    void recordStarted() {
        long now = inFlight.incrementAndGet();
        if (mostInFlight.get() < now) {
            mostInFlight.accumulateAndGet(now, Math::max);
        }
    }

    void recordEnded() {
        inFlight.decrementAndGet();
    }

    void recordOk(long nowNanos, long second, long prompt, long completion) {
        ok.increment();
        okPerSecond.increment(second);
        promptTokens.add(prompt);
        completionTokens.add(completion);
        // Reads first: after the first ok, most requests then write neither.
        if (firstOkNanos.get() == NEVER || firstOkNanos.get() > nowNanos) {
            firstOkNanos.accumulateAndGet(nowNanos, (first, now) -> first == NEVER ? now : Math.min(first, now));
        }
        if (lastOkNanos.get() < nowNanos) {
            lastOkNanos.accumulateAndGet(nowNanos, Math::max);
        }
    }

    void recordRateLimited(long second) {
        rateLimited.increment();
        rateLimitedPerSecond.increment(second);
    }

    /** A 429 told this key's user not to call again before {@code untilNanos}. */
    void recordAdvice(long untilNanos) {
        advisedUntilNanos.accumulateAndGet(untilNanos, Math::max);
    }

    /** Counts a request that arrives before the latest advised moment: it ignored a retry-after. */
    void recordArrival(long nowNanos) {
        long until = advisedUntilNanos.get();
        if (until != NEVER && nowNanos < until) {
            callsBeforeRetryAfter.increment();
        }
    }

    /** @return null when no request of this key was ok yet */
    Long firstOkNanos() {
        long value = firstOkNanos.get();
        return value == NEVER ? null : value;
    }

    Long lastOkNanos() {
        long value = lastOkNanos.get();
        return value == NEVER ? null : value;
    }
}
