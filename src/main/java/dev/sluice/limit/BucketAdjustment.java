package dev.sluice.limit;

import java.util.Objects;

/**
 * Correct the key {@code key}: by {@code deltaTokens} once a charge's real cost is known (negative
 * refunds, positive takes more, see {@link LimitPolicy#settledState}), or, as a cap, down to at most
 * {@code deltaTokens} available (see {@link LimitPolicy#cappedState}).
 *
 * @param key         the store key
 * @param policy      its policy
 * @param deltaTokens real cost minus what was charged (not 0); for a cap, the most tokens left (at least 0)
 * @param cap         whether this is a cap rather than a correction
 */
public record BucketAdjustment(String key, LimitPolicy policy, long deltaTokens, boolean cap) {

    /** A correction of a charge by its real cost. */
    public BucketAdjustment(String key, LimitPolicy policy, long deltaTokens) {
        this(key, policy, deltaTokens, false);
    }

    /** Lowers the key to at most {@code availableAtMost} tokens left, as the upstream reports. */
    public static BucketAdjustment capAt(String key, LimitPolicy policy, long availableAtMost) {
        return new BucketAdjustment(key, policy, availableAtMost, true);
    }

    public BucketAdjustment {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(policy, "policy");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a bucket key must not be empty");
        }
        if (!cap && deltaTokens == 0) {
            throw new IllegalArgumentException("an adjustment of 0 tokens changes nothing; leave it out");
        }
        if (cap && deltaTokens < 0) {
            throw new IllegalArgumentException("a cap is at least 0 tokens, got " + deltaTokens);
        }
    }
}
