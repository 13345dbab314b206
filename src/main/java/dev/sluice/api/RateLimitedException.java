package dev.sluice.api;

import dev.sluice.limit.Admission;
import dev.sluice.limit.BucketPolicy;

/** A 429: a limit refused the request, and nothing was charged. */
public final class RateLimitedException extends GatewayException {

    private final LimitScope scope;

    private RateLimitedException(LimitScope scope, String message, java.util.Map<String, String> headers) {
        super(429, message, scope.unit(), null, "rate_limit_exceeded", headers);
        this.scope = scope;
    }

    public static RateLimitedException of(LimitScope scope, BucketPolicy policy, Admission.Refused refused) {
        String message = "Rate limit reached for " + scope.unit() + " on the " + scope.label() + " limit ("
                + policy.refillRate() + ", burst " + policy.capacity() + "): Limit " + refused.bucket().capacity()
                + ", Remaining " + refused.bucket().availableTokens() + ". Please try again in "
                + RateLimitHeaders.formatDuration(refused.retryAfterNanos()) + ".";
        return new RateLimitedException(scope, message,
                RateLimitHeaders.forRefusal(refused.retryAfterNanos(), refused.bucket(), scope.unit()));
    }

    /** The limit that refused. */
    public LimitScope scope() {
        return scope;
    }
}
