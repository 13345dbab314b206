package dev.sluice.api;

import dev.sluice.admission.LimitScope;
import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.CooldownPolicy;
import dev.sluice.limit.LimitPolicy;
import dev.sluice.limit.QuotaPolicy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A 429: a limit refused the request, and nothing was charged. Its headers are the refusing limit's
 * ({@code retry-after}, {@code x-ratelimit-*-requests|tokens}) plus {@code x-sluice-limit}, the scope's id.
 */
public final class RateLimitedException extends GatewayException {

    /** Names the scope that refused, so a caller (or an operator reading a trace) knows which limit it hit. */
    public static final String SCOPE_HEADER = "x-sluice-limit";

    private final LimitScope scope;
    private final long retryAfterNanos;

    private RateLimitedException(LimitScope scope, long retryAfterNanos, String message, String type, String code,
            Map<String, String> headers) {
        super(429, message, type, null, code, headers);
        this.scope = scope;
        this.retryAfterNanos = retryAfterNanos;
    }

    /** @param requestedTokens what the request asked of that limit */
    public static RateLimitedException of(LimitScope scope, LimitPolicy policy, long requestedTokens, Admission.Refused refused) {
        if (refused.neverAdmissible()) {
            // Waiting cannot help: no retry-after, and OpenAI's wording for a request too large.
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("x-ratelimit-limit-" + scope.unit(), Long.toString(refused.bucket().capacity()));
            headers.put(SCOPE_HEADER, scope.id());
            return new RateLimitedException(scope, refused.retryAfterNanos(), "Request too large for the " + scope.label() + " limit on "
                    + scope.unit() + ": Limit " + policy.capacity() + ", Requested " + requestedTokens
                    + ". The input or output tokens must be reduced in order to run successfully.",
                    scope.unit(), "rate_limit_exceeded", headers);
        }
        Map<String, String> headers = new LinkedHashMap<>(
                RateLimitHeaders.forRefusal(refused.retryAfterNanos(), refused.bucket(), scope.unit()));
        headers.put(SCOPE_HEADER, scope.id());
        if (policy instanceof QuotaPolicy quota) {
            Instant reset = Instant.ofEpochSecond(Math.floorDiv(quota.windowEndNanos(), 1_000_000_000L));
            return new RateLimitedException(scope, refused.retryAfterNanos(), "You exceeded your " + scope.label() + " (" + quota.limit() + " "
                    + scope.unit() + "): Used " + (quota.limit() - refused.bucket().availableTokens()) + ", Requested "
                    + requestedTokens + ". It resets at " + reset + ".",
                    "insufficient_quota", "insufficient_quota", headers);
        }
        if (policy instanceof ConcurrencyPolicy concurrency) {
            return new RateLimitedException(scope, refused.retryAfterNanos(), "Too many requests in flight for this key: Limit "
                    + concurrency.maxInFlight() + " at once, across the fleet. Please try again once one of them has finished.",
                    scope.unit(), "rate_limit_exceeded", headers);
        }
        if (policy instanceof CooldownPolicy) {
            return new RateLimitedException(scope, refused.retryAfterNanos(), "The upstream asked to be left alone for a while (it answered 429); "
                    + "Sluice holds requests for it until then. Please try again in "
                    + RateLimitHeaders.formatDuration(refused.retryAfterNanos()) + ".", scope.unit(), "rate_limit_exceeded", headers);
        }
        BucketPolicy bucket = (BucketPolicy) policy;
        if (scope == LimitScope.DUPLICATE) {
            return new RateLimitedException(scope, refused.retryAfterNanos(), "This key sent the same request (the same path and "
                    + "body) more often than its plan allows (" + bucket.refillRate() + ", burst " + bucket.capacity() + "); a "
                    + "retry loop may have gone wrong. Please change the request, or try again in "
                    + RateLimitHeaders.formatDuration(refused.retryAfterNanos()) + ".", scope.unit(), "rate_limit_exceeded", headers);
        }
        String message = "Rate limit reached for " + scope.unit() + " on the " + scope.label() + " limit ("
                + bucket.refillRate() + ", burst " + bucket.capacity() + "): Limit " + refused.bucket().capacity()
                + ", Remaining " + refused.bucket().availableTokens() + ", Requested " + requestedTokens
                + ". Please try again in " + RateLimitHeaders.formatDuration(refused.retryAfterNanos()) + ".";
        return new RateLimitedException(scope, refused.retryAfterNanos(), message, scope.unit(), "rate_limit_exceeded", headers);
    }

    /** How long until the limit could admit the request; {@link dev.sluice.limit.BucketPolicy#NEVER} when it never can. */
    public long retryAfterNanos() {
        return retryAfterNanos;
    }

    /** The limit that refused. */
    public LimitScope scope() {
        return scope;
    }
}
