package dev.sluice.upstream;

import dev.sluice.limit.TimeSource;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One attempt that may be worth another, as its upstream's circuit breaker sees it: the upstream
 * answered 429, 500, 502, 503 or 504, gave no answer (unreachable, or not in time), or was not called
 * at all (its breaker open, its bulkhead full). Immutable; {@link ResilientUpstream} adds it to the
 * request's {@link AttemptHistory}.
 */
final class RetryableAttempt extends RuntimeException {

    private final UpstreamReply reply;
    private final long advisedMillis;

    private RetryableAttempt(UpstreamReply reply, UpstreamFailure failure, long advisedMillis) {
        super(reply != null ? "upstream answered " + reply.status() : failure.getMessage(), failure, false, false);
        this.reply = reply;
        this.advisedMillis = advisedMillis;
    }

    /** A reply worth another attempt; a Retry-After date is read against the limiter's (wall-clock) time. */
    static RetryableAttempt of(UpstreamReply reply, TimeSource clock) {
        OptionalLong advised = RetryAdvice.advisedWaitMillis(reply.headers(), TimeUnit.NANOSECONDS.toMillis(clock.nowNanos()));
        return new RetryableAttempt(reply, null, advised.orElse(0));
    }

    static RetryableAttempt of(UpstreamFailure failure) {
        return new RetryableAttempt(null, failure, 0);
    }

    /** Statuses worth another attempt: the upstream's limit, and its transient failures. */
    static boolean retryableStatus(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** A failure of the upstream itself, for its circuit breaker: anything but its rate limit (429). */
    boolean countsAsUpstreamFailure() {
        return reply == null || reply.status() != 429;
    }

    boolean rateLimited() {
        return reply != null && reply.status() == 429;
    }

    long advisedMillis() {
        return advisedMillis;
    }

    /** The attempt in a request's history: where it went and what else could take the next one. */
    AttemptHistory.Failed on(String upstream, boolean alternativeReady, boolean alternativeExists) {
        return new AttemptHistory.Failed(upstream, Optional.ofNullable(reply), Optional.ofNullable((UpstreamFailure) getCause()),
                advisedMillis, alternativeReady, alternativeExists);
    }
}
