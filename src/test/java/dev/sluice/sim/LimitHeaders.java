package dev.sluice.sim;

import dev.sluice.sim.LimitDecision.BucketView;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * The {@code x-ratelimit-*} headers OpenAI puts on every authenticated reply, and {@code retry-after}
 * on a 429. A limit that is unlimited (0) gets no headers at all.
 */
final class LimitHeaders {

    private static final CharSequence LIMIT_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-limit-requests");
    private static final CharSequence REMAINING_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-remaining-requests");
    private static final CharSequence RESET_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-reset-requests");
    private static final CharSequence LIMIT_TOKENS = HttpHeaders.createOptimized("x-ratelimit-limit-tokens");
    private static final CharSequence REMAINING_TOKENS = HttpHeaders.createOptimized("x-ratelimit-remaining-tokens");
    private static final CharSequence RESET_TOKENS = HttpHeaders.createOptimized("x-ratelimit-reset-tokens");
    private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("retry-after");
    private static final CharSequence RETRY_AFTER_MS = HttpHeaders.createOptimized("retry-after-ms");

    private LimitHeaders() {
    }

    static void putLimits(MultiMap headers, LimitDecision decision) {
        put(headers, decision.requests(), LIMIT_REQUESTS, REMAINING_REQUESTS, RESET_REQUESTS);
        put(headers, decision.tokens(), LIMIT_TOKENS, REMAINING_TOKENS, RESET_TOKENS);
    }

    /** {@code retry-after} in whole seconds (rounded up, at least 1) and {@code retry-after-ms}. */
    static void putRetryAfter(MultiMap headers, long retryAfterNanos) {
        long millis = GoDuration.ceilMillis(retryAfterNanos);
        headers.set(RETRY_AFTER, Long.toString(Math.max(1, (millis + 999) / 1000)));
        headers.set(RETRY_AFTER_MS, Long.toString(millis));
    }

    private static void put(MultiMap headers, BucketView bucket, CharSequence limit, CharSequence remaining,
                            CharSequence reset) {
        if (bucket != null) {
            headers.set(limit, Long.toString(bucket.limitPerMinute()));
            headers.set(remaining, Long.toString(bucket.remaining()));
            headers.set(reset, GoDuration.format(bucket.nanosUntilFull()));
        }
    }
}
