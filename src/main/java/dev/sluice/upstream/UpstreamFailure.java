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
        BUSY
    }

    private final Kind kind;
    private final boolean maybeSent;

    /**
     * @param maybeSent whether the request may have reached the upstream: false only when it surely
     *                  did not (no connection was ever made, or it was not called)
     */
    public UpstreamFailure(Kind kind, String message, Throwable cause, boolean maybeSent) {
        super(message, cause, false, false);
        this.kind = kind;
        this.maybeSent = maybeSent;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * What the attempt cost its upstream: nothing when the request surely never reached it; unknown
     * when it may have (no reply in time, a connection cut after the request went out), since the
     * upstream may be running it still.
     */
    public AttemptCost cost() {
        return maybeSent ? AttemptCost.UNKNOWN : AttemptCost.NOT_SENT;
    }
}
