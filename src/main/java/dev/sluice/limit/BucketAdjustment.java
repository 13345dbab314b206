package dev.sluice.limit;

import java.util.Objects;

/**
 * Correct an earlier charge of the key {@code key} by {@code deltaTokens}, once the real cost is
 * known: negative refunds, positive takes more (see {@link LimitPolicy#settledState}).
 *
 * @param key         the store key that was charged
 * @param policy      its policy, as when it was charged
 * @param deltaTokens real cost minus what was charged; not 0
 */
public record BucketAdjustment(String key, LimitPolicy policy, long deltaTokens) {

    public BucketAdjustment {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(policy, "policy");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a bucket key must not be empty");
        }
        if (deltaTokens == 0) {
            throw new IllegalArgumentException("an adjustment of 0 tokens changes nothing; leave it out");
        }
    }
}
