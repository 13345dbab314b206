package dev.sluice.keys;

import dev.sluice.config.Plan;

/** What a bearer token is to Sluice. */
public sealed interface KeyLookup {

    /**
     * A caller Sluice knows.
     *
     * @param id   the key's id ({@link KeyRecord#id()}, {@code env-<name>} for a key set in the
     *             environment, the token's SHA-256 when any token is accepted)
     * @param plan its limits in force: its plan with its own overrides
     */
    record Known(String id, Plan plan) implements KeyLookup {
    }

    /** Not a key to accept; the reason is for the operator's log, never for the caller. */
    record Refused(Reason reason) implements KeyLookup {
    }

    enum Reason {
        UNKNOWN, DISABLED, EXPIRED
    }
}
