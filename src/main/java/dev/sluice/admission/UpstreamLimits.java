package dev.sluice.admission;

import dev.sluice.config.UpstreamSettings;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.usage.TokenAccounting;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One upstream's limits as the limiter keeps them: its shared buckets' store keys, and the limits in
 * force on its key, which are the configured ones or lower ones the upstream reported.
 */
public final class UpstreamLimits {

    private final UpstreamSettings settings;
    private final String requestsKey;
    private final String tokensKey;
    private volatile Optional<BucketPolicy> requests;
    private volatile Optional<BucketPolicy> tokens;

    public UpstreamLimits(UpstreamSettings settings) {
        this.settings = settings;
        this.requests = settings.requests();
        this.tokens = settings.tokens();
        this.requestsKey = StoreKeys.upstreamRequests(settings.name());
        this.tokensKey = StoreKeys.upstreamTokens(settings.name());
    }

    public Optional<BucketPolicy> requests() {
        return requests;
    }

    public Optional<BucketPolicy> tokens() {
        return tokens;
    }

    /** How it counts a request against its tokens limit. */
    public TokenAccounting accounting() {
        return settings.tokenAccounting();
    }

    /** Its requests bucket's store key, {@code upstream:<name>:requests}. */
    public String requestsKey() {
        return requestsKey;
    }

    public String tokensKey() {
        return tokensKey;
    }

    /** The store key of its pause for a model ({@code cooldown:upstream:<name>:model:<model>}, a long model name hashed). */
    public String cooldownKey(String model) {
        return StoreKeys.cooldown(settings.name(), model);
    }

    /**
     * Takes the upstream's {@code x-ratelimit-limit-*}: a limit below the configured one replaces it
     * (rate and size scaled down alike) until the upstream reports otherwise.
     *
     * @param limitRequests its requests per minute, when it said
     * @param limitTokens   its tokens per minute, when it said
     */
    public void learn(OptionalLong limitRequests, OptionalLong limitTokens) {
        requests = inForce(settings.requests(), requests, limitRequests);
        tokens = inForce(settings.tokens(), tokens, limitTokens);
    }

    /**
     * The bucket to use after the upstream reported {@code reportedPerMinute}: the configured one
     * scaled down when the report is lower, the configured one when it is not, the current one when
     * there was no report (or a meaningless one: not positive). Unchanged policies are kept, not rebuilt.
     */
    private static Optional<BucketPolicy> inForce(Optional<BucketPolicy> configured, Optional<BucketPolicy> current,
            OptionalLong report) {
        if (configured.isEmpty() || report.isEmpty() || report.getAsLong() <= 0) {
            return current;
        }
        long reportedPerMinute = report.getAsLong();
        double configuredPerMinute = perMinute(configured.get());
        if (reportedPerMinute >= configuredPerMinute) {
            return configured;
        }
        if (current.isPresent() && Math.round(perMinute(current.get())) == reportedPerMinute) {
            return current;
        }
        return Optional.of(configured.get().scaledTo(reportedPerMinute / configuredPerMinute));
    }

    private static double perMinute(BucketPolicy policy) {
        return (double) policy.refillRate().tokens() * TimeUnit.MINUTES.toNanos(1) / policy.refillRate().periodNanos();
    }
}
