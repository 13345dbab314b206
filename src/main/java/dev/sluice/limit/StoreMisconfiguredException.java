package dev.sluice.limit;

/**
 * The shared store answers, but lacks what Sluice needs of it (its cache, its server tasks): an
 * operator's error to fix, not an outage to wait out. Nothing was decided.
 */
public final class StoreMisconfiguredException extends RuntimeException {

    /** @param missing what the store lacks, e.g. "no cache 'sluice-buckets'" */
    public StoreMisconfiguredException(String missing, Throwable cause) {
        super(missing, cause, false, false);
    }
}
