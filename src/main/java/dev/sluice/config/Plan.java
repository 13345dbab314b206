package dev.sluice.config;

import dev.sluice.content.DenyRules;
import dev.sluice.openai.ObjectPaths;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.ConcurrencyPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A set of limits that applies to each caller on it separately, across the fleet: the default plan
 * ({@code SLUICE_CALLER_*}), or a named one ({@code SLUICE_PLANS_<NAME>_*}) that keys are issued on.
 *
 * @param name          its name, lower case
 * @param requests      each caller's requests bucket
 * @param tokens        each caller's tokens-per-minute bucket (what requests really use); empty when none
 * @param concurrency   each caller's requests in flight at once, fleet-wide; empty when not limited
 * @param quotas        daily and monthly quotas that are set
 * @param models        models its callers may ask for (a trailing {@code *} matches a prefix); empty means all
 * @param upstreams     upstreams its callers may use, by name; empty means all
 * @param paths         the /v1 paths its callers may use, each with what lies below it ({@link ObjectPaths#allowed})
 * @param guards        what its callers' requests may not do, beyond their rates
 */
public record Plan(String name, BucketPolicy requests, Optional<BucketPolicy> tokens, Optional<ConcurrencyPolicy> concurrency, List<Quota> quotas, List<String> models, List<String> upstreams,
        List<String> paths, Guards guards) {

    /** The plan of {@code SLUICE_CALLER_*}: every caller without a key of another plan. */
    public static final String DEFAULT_NAME = "default";

    /** Most requests in flight a plan or a key may allow: far beyond any upstream's, well within what a slot count holds. */
    public static final long MAX_CONCURRENT = 100_000;

    public Plan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(concurrency, "concurrency");
        quotas = List.copyOf(quotas);
        models = List.copyOf(models);
        upstreams = List.copyOf(upstreams);
        paths = List.copyOf(paths);
        Objects.requireNonNull(guards, "guards");
    }

    /**
     * What a plan does about repeated and risky requests, whatever their rate (issue 19): the same request
     * shared while in flight, answered from a kept reply, or refused when sent too often; text its deny rules
     * refuse, text the upstream's moderation flags, a prompt too long.
     *
     * @param duplicates      each caller's bucket for one and the same request (path and body); empty when unlimited
     * @param denyRules       text its callers' requests may not send
     * @param maxPromptTokens the most tokens a prompt may hold; empty when unlimited
     * @param coalesce        identical whole requests in flight at once share one upstream call
     * @param cacheTtl        how long a whole reply is kept for identical requests; empty when never
     * @param moderation      the text of chat, completion and Responses requests goes to the upstream's moderation first
     */
    public record Guards(Optional<BucketPolicy> duplicates, DenyRules denyRules, OptionalLong maxPromptTokens, boolean coalesce,
            Optional<Duration> cacheTtl, boolean moderation) {

        public static final Guards NONE = new Guards(Optional.empty(), DenyRules.NONE, OptionalLong.empty(), false, Optional.empty(),
                false);

        public Guards {
            Objects.requireNonNull(duplicates, "duplicates");
            Objects.requireNonNull(denyRules, "denyRules");
            Objects.requireNonNull(maxPromptTokens, "maxPromptTokens");
        }
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
        return tokens.isPresent() || quotas.stream().anyMatch(Quota::countsTokens) || guards.maxPromptTokens().isPresent();
    }

    public boolean allowsModel(String model) {
        return models.isEmpty() || UpstreamSettings.matchesAny(models, model);
    }

    /** Whether its callers may use {@code path} ({@code /v1/...}); {@code GET /v1/models} is everyone's. */
    public boolean allowsPath(String path) {
        return ObjectPaths.allowed(paths, path);
    }

    public boolean allowsUpstream(String upstreamName) {
        return upstreams.isEmpty() || upstreams.contains(upstreamName);
    }
}
