package dev.sluice.sim;

import dev.sluice.sim.LimitDecision.BucketView;

/**
 * The RPM and TPM buckets of one key, decided together: a request takes from both or from neither.
 * One lock per key is plenty: the critical section is a few arithmetic operations.
 */
final class KeyLimiter {

    private final TokenBucket requests;
    private final TokenBucket tokens;

    /** A bucket for each limit that is not 0 (unlimited), each as deep as its own seconds of rate. */
    KeyLimiter(long requestsPerMinute, double requestBucketSeconds, long tokensPerMinute, double tokenBucketSeconds,
               long nowNanos) {
        requests = requestsPerMinute == 0 ? null : new TokenBucket(requestsPerMinute, requestBucketSeconds, nowNanos);
        tokens = tokensPerMinute == 0 ? null : new TokenBucket(tokensPerMinute, tokenBucketSeconds, nowNanos);
    }

    /** Charges one request and {@code tokenCost} tokens if both fit now. */
    synchronized LimitDecision tryAcquire(long tokenCost, long nowNanos) {
        if (requests != null) {
            requests.refill(nowNanos);
        }
        if (tokens != null) {
            tokens.refill(nowNanos);
            if (tokens.neverFits(tokenCost)) {
                return new LimitDecision(false, true, "tokens", tokenCost, 0, view(requests), view(tokens));
            }
        }
        long requestWaitNanos = requests == null ? 0 : requests.nanosUntilFits(1);
        long tokenWaitNanos = tokens == null ? 0 : tokens.nanosUntilFits(tokenCost);
        if (requestWaitNanos > 0 || tokenWaitNanos > 0) {
            boolean byRequests = requestWaitNanos >= tokenWaitNanos;
            return new LimitDecision(false, false, byRequests ? "requests" : "tokens", byRequests ? 1 : tokenCost,
                    Math.max(requestWaitNanos, tokenWaitNanos), view(requests), view(tokens));
        }
        if (requests != null) {
            requests.take(1);
        }
        if (tokens != null) {
            tokens.take(tokenCost);
        }
        return new LimitDecision(true, false, null, 0, 0, view(requests), view(tokens));
    }

    /**
     * Corrects what an admitted request took from the TPM bucket by {@code deltaTokens}: negative gives
     * back (never beyond a full bucket), positive takes more (into debt). Usage accounting only.
     */
    synchronized void correctTokens(long deltaTokens, long nowNanos) {
        if (tokens != null) {
            tokens.refill(nowNanos);
            tokens.correct(deltaTokens);
        }
    }

    /** Refills both buckets to capacity (a stats reset starts from a clean slate). */
    synchronized void fill(long nowNanos) {
        if (requests != null) {
            requests.fill(nowNanos);
        }
        if (tokens != null) {
            tokens.fill(nowNanos);
        }
    }

    private static BucketView view(TokenBucket bucket) {
        return bucket == null ? null
                : new BucketView(bucket.limitPerMinute(), bucket.remaining(), bucket.nanosUntilFull());
    }
}
