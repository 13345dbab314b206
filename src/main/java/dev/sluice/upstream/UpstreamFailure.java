package dev.sluice.upstream;

import dev.sluice.usage.AttemptCost;

/** The upstream gave no answer: it could not be reached, did not answer in time, or was not called at all. */
public final class UpstreamFailure extends RuntimeException {

    public enum Kind {
        /** No connection, or the connection broke before a reply. */
        UNREACHABLE,
        /** No reply (or no first byte of a stream) within the timeout. */
        TIMEOUT,
        /** Not called: its circuit breaker is open after consecutive failures. */
        CIRCUIT_OPEN,
        /** Not called: as many calls as it may have at once are already out, and as many queued. */
        BUSY;

        /** The upstream was not called at all: its breaker or its bulkhead held the attempt back. */
        public boolean notCalled() {
            return this == CIRCUIT_OPEN || this == BUSY;
        }
    }

    private final Kind kind;
    private final boolean maybeSent;
    private final long retryAfterNanos;

    /**
     * @param maybeSent whether the request may have reached the upstream: false only when it surely
     *                  did not (no connection was ever made, or it was not called)
     */
    public UpstreamFailure(Kind kind, String message, Throwable cause, boolean maybeSent) {
        this(kind, message, cause, maybeSent, 0);
    }

    private UpstreamFailure(Kind kind, String message, Throwable cause, boolean maybeSent, long retryAfterNanos) {
        super(message, cause, false, false);
        this.kind = kind;
        this.maybeSent = maybeSent;
        this.retryAfterNanos = retryAfterNanos;
    }

    /**
     * The upstream was not called: its breaker is open ({@link Kind#CIRCUIT_OPEN}) or its bulkhead full
     * ({@link Kind#BUSY}).
     *
     * @param retryAfterNanos how long until it may be called again, as far as Sluice knows: the
     *                        breaker's remaining delay; 0 when that is not known (a bulkhead frees a
     *                        place whenever a call ends)
     */
    static UpstreamFailure notCalled(Kind kind, String message, Throwable cause, long retryAfterNanos) {
        if (!kind.notCalled()) {
            throw new IllegalArgumentException(kind + " is a failure of a call that was made");
        }
        return new UpstreamFailure(kind, message, cause, false, Math.max(0, retryAfterNanos));
    }

    public Kind kind() {
        return kind;
    }

    /** How long until the upstream may be called again: see {@link #notCalled}; 0 for a call that was made. */
    public long retryAfterNanos() {
        return retryAfterNanos;
    }

    /**
     * What the attempt cost its upstream: nothing when the request surely never reached it; unknown
     * when it may have (no reply in time, a connection cut after the request went out), since the
     * upstream may be running it still.
     */
    public AttemptCost cost() {
        return maybeSent ? AttemptCost.UNKNOWN : AttemptCost.NOT_SENT;
    }

    /** What an attempt that ended in {@code failure} cost: see {@link #cost()}; unknown for anything unforeseen. */
    public static AttemptCost costOf(Throwable failure) {
        return failure instanceof UpstreamFailure notAnswered ? notAnswered.cost() : AttemptCost.UNKNOWN;
    }
}
