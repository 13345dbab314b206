package dev.sluice.sim;

/**
 * What one key's limits decided for one request.
 *
 * @param admitted        true when both buckets were charged; false when neither was
 * @param tooLarge        refused because the request costs more tokens than the per-minute limit:
 *                        waiting cannot help
 * @param limitType       {@code "requests"} or {@code "tokens"}: the bucket that refused (the longer
 *                        wait); null when admitted
 * @param requested       what the refusing bucket was asked for (1 request, or the token cost)
 * @param retryAfterNanos from now until the request would fit both buckets; 0 when admitted or too large
 * @param requests        the request bucket after the decision; null when RPM is unlimited
 * @param tokens          the token bucket after the decision; null when TPM is unlimited
 */
record LimitDecision(boolean admitted, boolean tooLarge, String limitType, long requested, long retryAfterNanos,
                     BucketView requests, BucketView tokens) {

    /**
     * One bucket as the {@code x-ratelimit-*} headers show it.
     *
     * @param limitPerMinute the configured RPM or TPM
     * @param remaining      whole tokens in the bucket now
     * @param nanosUntilFull from now until the bucket is full again
     */
    record BucketView(long limitPerMinute, long remaining, long nanosUntilFull) {
    }

    /** The bucket that refused; null when admitted. */
    BucketView refusingBucket() {
        return "requests".equals(limitType) ? requests : "tokens".equals(limitType) ? tokens : null;
    }
}
