package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.CalendarQuota;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A set of limits that applies to each caller on it separately, across the fleet: the default plan
 * ({@code SLUICE_CALLER_*}), or a named one ({@code SLUICE_PLANS_<NAME>_*}) that keys are issued on.
 *
 * @param name          its name, lower case
 * @param requests      each caller's requests bucket
 * @param tokens        each caller's tokens-per-minute bucket (what requests really use); empty when none
 * @param quotas        daily and monthly quotas that are set
 * @param models        models its callers may ask for (a trailing {@code *} matches a prefix); empty means all
 * @param upstreams     upstreams its callers may use, by name; empty means all
 */
public record Plan(String name, BucketPolicy requests, Optional<BucketPolicy> tokens, List<Quota> quotas, List<String> models, List<String> upstreams) {

    /** The plan of {@code SLUICE_CALLER_*}: every caller without a key of another plan. */
    public static final String DEFAULT_NAME = "default";

    public Plan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(requests, "requests");
        quotas = List.copyOf(quotas);
        models = List.copyOf(models);
        upstreams = List.copyOf(upstreams);
    }

    /**
     * A quota per calendar window.
     *
     * @param countsTokens tokens (prompt + completion) rather than requests
     */
    public record Quota(boolean countsTokens, CalendarQuota quota) {
    }

    /** Whether any of its limits counts tokens: then its requests' cost is estimated and settled. */
    public boolean countsTokens() {
        return tokens.isPresent() || quotas.stream().anyMatch(Quota::countsTokens);
    }

    public boolean allowsModel(String model) {
        return models.isEmpty() || UpstreamSettings.matchesAny(models, model);
    }

    public boolean allowsUpstream(String upstreamName) {
        return upstreams.isEmpty() || upstreams.contains(upstreamName);
    }
}
