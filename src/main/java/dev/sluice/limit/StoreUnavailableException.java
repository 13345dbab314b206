package dev.sluice.limit;

/**
 * The shared store cannot decide right now, and the failure policy is to refuse: it cannot be reached
 * (closed mode), or it is misconfigured ({@link #misconfigured()}, in either mode).
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** Whether the store lacks what Sluice needs, rather than being out of reach. */
    public boolean misconfigured() {
        return getCause() instanceof StoreMisconfiguredException;
    }
}
