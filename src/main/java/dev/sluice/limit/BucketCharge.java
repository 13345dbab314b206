package dev.sluice.limit;

import java.util.Objects;

/**
 * Take {@code tokens} from the bucket stored under {@code key}, which follows {@code policy}.
 *
 * @param key    the store key; one key always has one policy
 * @param policy what the key's state means: a bucket or a quota window
 * @param tokens how many tokens to take, at least 1
 */
public record BucketCharge(String key, LimitPolicy policy, long tokens) {

    public BucketCharge {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(policy, "policy");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a bucket key must not be empty");
        }
        if (tokens < 1) {
            throw new IllegalArgumentException("a charge takes at least 1 token, got " + tokens);
        }
    }
}
