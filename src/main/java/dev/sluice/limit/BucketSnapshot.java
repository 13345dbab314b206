package dev.sluice.limit;

/**
 * What a bucket looks like at one moment: enough to fill the {@code x-ratelimit-*} headers.
 *
 * @param capacity        the most tokens the bucket holds
 * @param availableTokens whole tokens it holds now, 0 to capacity
 * @param nanosUntilFull  nanoseconds until it is full again; 0 when full
 */
public record BucketSnapshot(long capacity, long availableTokens, long nanosUntilFull) {
}
