package dev.sluice.owners;

import java.util.Objects;

/**
 * Who created an object through Sluice, and where it lives.
 *
 * @param callerId the caller's id (never its key): only this caller may reach the object in managed mode
 * @param upstream the name of the upstream that holds it: every later call on it goes there
 */
public record Owner(String callerId, String upstream) {

    private static final char SEPARATOR = '\t';

    public Owner {
        Objects.requireNonNull(callerId, "callerId");
        Objects.requireNonNull(upstream, "upstream");
        if (callerId.indexOf(SEPARATOR) >= 0 || upstream.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("an owner's caller id and upstream hold no tab");
        }
    }

    /** As a store keeps it. */
    public String encode() {
        return callerId + SEPARATOR + upstream;
    }

    /** What {@link #encode} wrote; null for anything else (a record from another version is no owner). */
    public static Owner decode(String stored) {
        int separator = stored == null ? -1 : stored.indexOf(SEPARATOR);
        if (separator <= 0 || separator == stored.length() - 1) {
            return null;
        }
        return new Owner(stored.substring(0, separator), stored.substring(separator + 1));
    }
}
