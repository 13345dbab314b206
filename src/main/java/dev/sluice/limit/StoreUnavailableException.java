package dev.sluice.limit;

/**
 * The shared store cannot decide right now, and the failure policy is to refuse: it cannot be reached
 * (closed mode), or it is misconfigured ({@link #misconfigured()}, in either mode).
 */
public final class StoreUnavailableException extends RuntimeException {

    private final long retryAfterNanos;

    /** @param retryAfterNanos how long until the store is tried again; 0 when the next request tries it */
    public StoreUnavailableException(String message, Throwable cause, long retryAfterNanos) {
        super(message, cause, false, false);
        if (retryAfterNanos < 0) {
            throw new IllegalArgumentException("retry after must be >= 0, got " + retryAfterNanos);
        }
        this.retryAfterNanos = retryAfterNanos;
    }

    /** Whether the store lacks what Sluice needs, rather than being out of reach. */
    public boolean misconfigured() {
        return getCause() instanceof StoreMisconfiguredException;
    }

    /** How long until the store is tried again: a caller's request before then is refused the same way. */
    public long retryAfterNanos() {
        return retryAfterNanos;
    }
}
