package dev.sluice.limit;

/**
 * How one stored number limits requests. A store keeps a single long per key (its <em>state</em>) and
 * knows nothing else; the policy says what that long means:
 * <ul>
 *   <li>{@link BucketPolicy}: a token bucket that refills continuously; the state is its TAT.</li>
 *   <li>{@link QuotaPolicy}: a fixed allowance for one calendar window; the state is what was used.</li>
 *   <li>{@link CooldownPolicy}: a pause the upstream asked for; the state is when it ends.</li>
 *   <li>{@link ConcurrencyPolicy}: requests in flight at once; the state counts their slots.</li>
 * </ul>
 * For both, a missing entry is {@link #MISSING} (a full bucket, an unused quota), so a store never
 * has to create anything before the first request.
 */
public sealed interface LimitPolicy permits BucketPolicy, QuotaPolicy, CooldownPolicy, ConcurrencyPolicy {

    /** The state of a key the store does not hold. */
    long MISSING = Long.MIN_VALUE;

    /** The most tokens the limit allows at once: the {@code x-ratelimit-limit-*} value. */
    long capacity();

    /**
     * How long a request for {@code tokens} must wait, from {@code nowNanos}, until the limit allows it:
     * 0 when it does now, {@link BucketPolicy#NEVER} when {@code tokens} exceeds the capacity.
     */
    long waitNanos(long state, long tokens, long nowNanos);

    /** The state after taking {@code tokens} at {@code atNanos}; the caller checked with {@link #waitNanos}. */
    long chargedState(long state, long tokens, long atNanos);

    /**
     * The state after correcting an earlier charge by {@code deltaTokens}: negative gives tokens back
     * (a reservation that was larger than the real cost), positive takes more (it was smaller). A
     * correction may push the limit into debt, but never more than one whole capacity beyond empty.
     */
    long settledState(long state, long deltaTokens, long nowNanos);

    /**
     * The state with at most {@code availableAtMost} tokens left: how an upstream that reports fewer
     * remaining than Sluice counts (other consumers share its key) lowers Sluice's view. Never raises.
     */
    long cappedState(long state, long availableAtMost, long nowNanos);

    /** What the {@code x-ratelimit-*} headers say about the limit in this state. */
    BucketSnapshot snapshot(long state, long nowNanos);

    /**
     * How long from {@code nowNanos} the store must keep this state; once it is gone, a missing entry
     * means the same thing. Stores expire entries after it, so idle keys leave nothing behind.
     */
    long retentionNanos(long state, long nowNanos);

    /**
     * Whether what the limit lacks comes back with time alone, so that a request may be held for it
     * within the max wait. A concurrency limit's comes back only when other requests end, at a moment
     * nobody knows: a request it refuses is refused at once.
     */
    default boolean freesWithTime() {
        return true;
    }

    /** The same limit at a share of its size (at least 1 token): one instance's part when the fleet cannot coordinate. */
    LimitPolicy scaledTo(double share);
}
