package dev.sluice.upstream;

import java.util.OptionalLong;

/**
 * An attempt that may be worth another: the upstream answered 429, 500, 502, 503 or 504, or gave no
 * answer (unreachable, or not in time). Carries what the retry decision needs: when the first attempt
 * started, which attempt this was, what the upstream advised, and the reply to relay if no retry follows.
 */
final class RetryableAttempt extends RuntimeException {

    private final UpstreamReply reply;
    private final long firstAttemptNanos;
    private final int attempt;
    private final long advisedMillis;

    private RetryableAttempt(UpstreamReply reply, Throwable cause, long firstAttemptNanos, int attempt, long advisedMillis) {
        super(reply != null ? "upstream answered " + reply.status() : cause.getMessage(), cause, false, false);
        this.reply = reply;
        this.firstAttemptNanos = firstAttemptNanos;
        this.attempt = attempt;
        this.advisedMillis = advisedMillis;
    }

    static RetryableAttempt of(UpstreamReply reply, long firstAttemptNanos, int attempt) {
        OptionalLong advised = RetryAdvice.advisedWaitMillis(reply.headers(), System.currentTimeMillis());
        return new RetryableAttempt(reply, null, firstAttemptNanos, attempt, advised.orElse(0));
    }

    static RetryableAttempt of(UpstreamFailure failure, long firstAttemptNanos, int attempt) {
        return new RetryableAttempt(null, failure, firstAttemptNanos, attempt, 0);
    }

    /** Statuses worth another attempt: the upstream's limit, and its transient failures. */
    static boolean retryableStatus(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** A failure of the upstream itself, for its circuit breaker: anything but its rate limit (429). */
    boolean countsAsUpstreamFailure() {
        return reply == null || reply.status() != 429;
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

    /** What the caller gets when no retry follows: the upstream's own reply, or the failure. */
    Throwable failureToRelay() {
        return getCause();
    }
}
