package dev.sluice.upstream;

/** The upstream gave no answer at all: it could not be reached, or it did not answer in time. */
public final class UpstreamFailure extends RuntimeException {

    public enum Kind {
        /** No connection, or the connection broke before a reply. */
        UNREACHABLE,
        /** No reply (or no first byte of a stream) within the timeout. */
        TIMEOUT
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
