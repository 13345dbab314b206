package dev.sluice.upstream;

import dev.sluice.limit.TimeSource;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One attempt that may be worth another, as its upstream's circuit breaker sees it: the upstream
 * answered 429, 500, 502, 503 or 504, gave no answer (unreachable, or not in time), or was not called
 * at all (its breaker open, its bulkhead full). Immutable; {@link ResilientUpstream} adds it to the
 * request's {@link AttemptHistory}.
 */
final class RetryableAttempt extends RuntimeException {

    private final UpstreamReply reply;
    private final Throttle throttle;
    private final long advisedMillis;
    private final boolean countsForBreaker;

    private RetryableAttempt(UpstreamReply reply, UpstreamFailure failure, Throttle throttle, long advisedMillis,
            boolean countsForBreaker) {
        super(reply != null ? "upstream answered " + reply.status() : failure.getMessage(), failure, false, false);
        this.reply = reply;
        this.throttle = throttle;
        this.advisedMillis = advisedMillis;
        this.countsForBreaker = countsForBreaker;
    }

    /**
     * A reply worth another attempt (read whole); a Retry-After date is read against the limiter's
     * (wall-clock) time, and a 429 is told apart by whom it concerns ({@link Throttle}).
     */
    static RetryableAttempt of(UpstreamReply reply, TimeSource clock) {
        long advised = RetryAdvice.advisedWaitMillis(reply.headers(), TimeUnit.NANOSECONDS.toMillis(clock.nowNanos())).orElse(0);
        if (reply.status() != 429) {
            return new RetryableAttempt(reply, null, null, advised, false);
        }
        Throttle throttle = Throttle.of(reply.headers(), reply.body(), advised);
        return new RetryableAttempt(reply, null, throttle, throttle.advisedMillis(), false);
    }

    static RetryableAttempt of(UpstreamFailure failure) {
        return new RetryableAttempt(null, failure, null, 0, false);
    }

    /** The same attempt, judged by its upstream: whether its breaker counts it ({@link FailureWitnesses}). */
    RetryableAttempt countedForBreaker(boolean counts) {
        return new RetryableAttempt(reply, (UpstreamFailure) getCause(), throttle, advisedMillis, counts);
    }

    /** Whether its upstream's breaker counts it as a failure; until judged, it does not. */
    boolean countsForBreaker() {
        return countsForBreaker;
    }

    /** Statuses worth another attempt: the upstream's limit, and its transient failures. */
    static boolean retryableStatus(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** A failure of the upstream itself, which its circuit breaker may count: anything but its rate limit (429). */
    boolean countsAsUpstreamFailure() {
        return reply == null || reply.status() != 429;
    }

    /** What its 429 says about whom it concerns; empty for any other attempt. */
    Optional<Throttle> throttle() {
        return Optional.ofNullable(throttle);
    }

    /** Its headers, when the upstream answered. */
    Optional<UpstreamReply> reply() {
        return Optional.ofNullable(reply);
    }

    long advisedMillis() {
        return advisedMillis;
    }

    /** The attempt in a request's history: where it went and what else could take the next one. */
    AttemptHistory.Failed on(String upstream, boolean alternativeReady, boolean alternativeExists) {
        return new AttemptHistory.Failed(upstream, Optional.ofNullable(reply), Optional.ofNullable((UpstreamFailure) getCause()),
                throttle instanceof Throttle.RequestTooLarge, advisedMillis, alternativeReady, alternativeExists);
    }
}
