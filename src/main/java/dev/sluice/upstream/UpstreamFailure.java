package dev.sluice.upstream;

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

    public UpstreamFailure(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
