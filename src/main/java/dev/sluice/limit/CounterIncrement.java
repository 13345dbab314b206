package dev.sluice.limit;

import java.util.Objects;

/**
 * Add {@code amount} to the plain counter stored under {@code key} (usage statistics: requests,
 * tokens, refusals), which is kept for {@code retentionNanos} after this write.
 *
 * @param key            the counter's store key, e.g. {@code usage:caller:ab12…:day:2026-11-28:requests}
 * @param amount         what to add, at least 1
 * @param retentionNanos how long the store keeps the counter after this write
 */
public record CounterIncrement(String key, long amount, long retentionNanos) {

    public CounterIncrement {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a counter key must not be empty");
        }
        if (amount < 1) {
            throw new IllegalArgumentException("a counter increment is at least 1, got " + amount);
        }
        if (retentionNanos < 1) {
            throw new IllegalArgumentException("a counter must be kept for some time, got " + retentionNanos + " ns");
        }
    }
}
