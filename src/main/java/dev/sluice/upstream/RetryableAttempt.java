package dev.sluice.upstream;

import dev.sluice.limit.TimeSource;
import dev.sluice.usage.AttemptCost;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * An attempt that may be worth another: the upstream answered 429, 500, 502, 503 or 504, gave no
 * answer (unreachable, or not in time), or was not called at all (its breaker open, its bulkhead
 * full). Carries what the retry decision needs: when the first attempt started, which
 * attempt this was, what the upstream advised, whether another upstream could take the next attempt
 * at once, and the reply to relay if no retry follows.
 */
final class RetryableAttempt extends RuntimeException {

    private final UpstreamReply reply;
    private final long firstAttemptNanos;
    private final int attempt;
    private final long advisedMillis;
    private final boolean called;
    private volatile boolean alternativeReady;
    private volatile boolean alternativeExists;

    private RetryableAttempt(UpstreamReply reply, Throwable cause, long firstAttemptNanos, int attempt,
            long advisedMillis, boolean called) {
        super(reply != null ? "upstream answered " + reply.status() : cause.getMessage(), cause, false, false);
        this.reply = reply;
        this.firstAttemptNanos = firstAttemptNanos;
        this.attempt = attempt;
        this.advisedMillis = advisedMillis;
        this.called = called;
    }

    static RetryableAttempt of(UpstreamReply reply, long firstAttemptNanos, int attempt, TimeSource clock) {
        // a Retry-After date is read against the limiter's clock, which is wall-clock time
        OptionalLong advised = RetryAdvice.advisedWaitMillis(reply.headers(), TimeUnit.NANOSECONDS.toMillis(clock.nowNanos()));
        return new RetryableAttempt(reply, null, firstAttemptNanos, attempt, advised.orElse(0), true);
    }

    static RetryableAttempt of(UpstreamFailure failure, long firstAttemptNanos, int attempt) {
        return new RetryableAttempt(null, failure, firstAttemptNanos, attempt, 0,
                failure.kind() != UpstreamFailure.Kind.CIRCUIT_OPEN && failure.kind() != UpstreamFailure.Kind.BUSY);
    }

    /** Statuses worth another attempt: the upstream's limit, and its transient failures. */
    static boolean retryableStatus(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** A failure of the upstream itself, for its circuit breaker: anything but its rate limit (429). */
    boolean countsAsUpstreamFailure() {
        return reply == null || reply.status() != 429;
    }

    /**
     * What the attempt cost its upstream: an error reply (a 429 too) arrived and ran nothing; without
     * a reply, see {@link UpstreamFailure#cost()}.
     */
    AttemptCost cost() {
        return reply != null ? AttemptCost.FAILED : ((UpstreamFailure) getCause()).cost();
    }

    /** Whether a request reached the upstream (its breaker and bulkhead let it through). */
    boolean called() {
        return called;
    }

    /** The reply to relay when this was the last attempt; {@code null} when there was none. */
    UpstreamReply reply() {
        return reply;
    }

    long firstAttemptNanos() {
        return firstAttemptNanos;
    }

    int attempt() {
        return attempt;
    }

    long advisedMillis() {
        return advisedMillis;
    }

    /** Another upstream could take the next attempt now: no need to wait out this one's backoff. */
    boolean alternativeReady() {
        return alternativeReady;
    }

    /** Another candidate upstream exists, ready now or later. */
    boolean alternativeExists() {
        return alternativeExists;
    }

    /**
     * @param ready  another upstream could take the next attempt now
     * @param exists another candidate upstream exists at all
     */
    void alternatives(boolean ready, boolean exists) {
        alternativeReady = ready;
        alternativeExists = exists;
    }

    /** What the caller gets when no retry follows: the upstream's own reply, or the failure. */
    Throwable failureToRelay() {
        return getCause();
    }
}
