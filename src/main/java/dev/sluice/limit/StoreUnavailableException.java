package dev.sluice.limit;

/** The shared store cannot decide right now, and the failure policy is to refuse (closed). */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
