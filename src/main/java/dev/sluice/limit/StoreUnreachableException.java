package dev.sluice.limit;

/**
 * A shared store could not be reached at all (no connection, or no answer in time), as opposed to
 * one that answered with an error. Only this takes a {@link FailoverBucketStore} into its failure mode.
 */
public final class StoreUnreachableException extends RuntimeException {

    public StoreUnreachableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
