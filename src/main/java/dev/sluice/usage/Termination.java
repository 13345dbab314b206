package dev.sluice.usage;

/** How a relayed stream ended; whichever it was, a token reservation must be settled. */
public enum Termination {
    /** The upstream sent its last byte and the caller took it. */
    COMPLETED,
    /** The upstream broke off (connection lost, idle timeout): its usage chunk may never have come. */
    FAILED,
    /** The caller went away; the upstream request was reset, so it stops generating. */
    CANCELLED
}
