package dev.sluice.admission;

import dev.sluice.limit.Saturating;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The waits told to the refused requests of a bucket, staggered: each refused request is told the
 * moment a token will really be free for it, after the moments already told to those refused before
 * it, instead of all being told the same moment. The official SDKs wait exactly the
 * {@code retry-after-ms} they are given; a burst refused with one wait comes back as one burst, and
 * all but one are refused again (issue 18: 12 concurrent requests on a bucket of 5 at 5/s, the Node
 * SDK with 4 retries, and 4 failed after all of them). A promise is a hint, not a reservation: it
 * takes nothing from the bucket, and it lapses once its moment has passed.
 *
 * <p>Per instance: refusals on other instances are staggered among themselves. Pure: time is passed
 * in; thread-safe; bounded ({@value #MAX_KEYS} buckets, expired promises dropped first).
 */
public final class RetryPromises {

    static final int MAX_KEYS = 10_000;

    /** Per bucket key: the moment after the last one promised, when the next refused request may be told to come. */
    private final ConcurrentHashMap<String, Long> nextFreeNanos = new ConcurrentHashMap<>();

    /**
     * @param key             the refusing bucket's store key
     * @param retryAfterNanos when the bucket itself could admit the request, from now
     * @param spacingNanos    how long the bucket takes to refill what the request asks (its emission
     *                        interval times the request's tokens)
     * @return the wait to tell this request: at least {@code retryAfterNanos}, and after every wait told before
     */
    public long promise(String key, long retryAfterNanos, long spacingNanos, long nowNanos) {
        if (nextFreeNanos.size() >= MAX_KEYS) {
            nextFreeNanos.values().removeIf(next -> next <= nowNanos);
            if (nextFreeNanos.size() >= MAX_KEYS) {
                nextFreeNanos.clear(); // a flood of keys: staggering starts afresh, nothing is refused for it
            }
        }
        long[] told = new long[1];
        nextFreeNanos.compute(key, (ignored, next) -> {
            long earliest = Saturating.add(nowNanos, Math.max(0, retryAfterNanos));
            long at = next == null || next < earliest ? earliest : next;
            told[0] = at - nowNanos;
            return Saturating.add(at, Math.max(0, spacingNanos));
        });
        return told[0];
    }
}
