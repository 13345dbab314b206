package dev.sluice.config;

import dev.sluice.content.DenyRules;
import dev.sluice.limit.BucketPolicy;
import dev.sluice.openai.ObjectPaths;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.ConcurrencyPolicy;
import dev.sluice.limit.Rate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The plans of a {@link SluiceConfig}, checked: the default one from {@code SLUICE_CALLER_*} and the
 * named ones from {@code SLUICE_PLANS_<NAME>_*}; and the keys set in the environment.
 */
final class Plans {

    /** Beyond any model's context window (the largest are a few million tokens). */
    static final long MAX_PROMPT_TOKENS = 100_000_000;
    /** A reply older than this is no longer the same model's answer to the question. */
    static final Duration MAX_CACHE_TTL = Duration.ofDays(30);

    private Plans() {
    }

    /** @param zone the quota zone; null when it is itself wrong (reported), and then no quota is read */
    static Map<String, Plan> from(Problems problems, SluiceConfig config, ZoneId zone, Set<String> upstreamNames) {
        Map<String, Plan> plans = new LinkedHashMap<>();
        SluiceConfig.Caller caller = config.caller();
        Rate defaultRate = problems.check("sluice.caller.rate", () -> Rate.parse(caller.rate()));
        long defaultBurst = caller.burst();
        problems.atLeast("sluice.caller.burst", defaultBurst, 1);
        Limits defaults = new Limits(caller.tpm(), caller.maxConcurrent(), caller.dailyRequests(), caller.dailyTokens(),
                caller.monthlyRequests(), caller.monthlyTokens());
        List<String> defaultUpstreams = upstreams(problems, "sluice.caller.", caller.upstreams(), upstreamNames);
        List<String> defaultPaths = paths(problems, "sluice.caller.paths", caller.paths(), ObjectPaths.DEFAULT_ALLOWED);
        Plan.Guards defaultGuards = guards(problems, "sluice.caller.", caller.duplicateRate(), caller.denyFile(), caller.maxPromptTokens(),
                Optional.of(caller.coalesce()), caller.cacheTtl(), Optional.of(caller.moderation()), Plan.Guards.NONE);
        if (defaultRate != null && defaultBurst >= 1) {
            plans.put(Plan.DEFAULT_NAME, plan(problems, Plan.DEFAULT_NAME, "sluice.caller.", new BucketPolicy(defaultBurst, defaultRate),
                    defaults, zone, strip(caller.models()), defaultUpstreams, defaultPaths, defaultGuards));
        }
        new TreeMap<>(config.plans()).forEach((given, named) -> {
            String name = given.toLowerCase(Locale.ROOT);
            String prefix = "sluice.plans." + name + ".";
            if (!problems.validName(prefix + "rate", given, name)) {
                return;
            }
            if (name.equals(Plan.DEFAULT_NAME)) {
                problems.add(prefix + "rate", "the default plan is set with SLUICE_CALLER_*");
                return;
            }
            Rate rate = named.rate().isEmpty() ? defaultRate : problems.check(prefix + "rate", () -> Rate.parse(named.rate().get()));
            long burst = named.burst().orElse(defaultBurst);
            problems.atLeast(prefix + "burst", burst, 1);
            List<String> models = strip(named.models());
            List<String> upstreams = upstreams(problems, prefix, named.upstreams(), upstreamNames);
            List<String> paths = paths(problems, prefix + "paths", named.paths(), defaultPaths);
            Plan.Guards guards = guards(problems, prefix, named.duplicateRate(), named.denyFile(), named.maxPromptTokens(), named.coalesce(),
                    named.cacheTtl(), named.moderation(), defaultGuards);
            if (rate != null && burst >= 1) {
                plans.put(name, plan(problems, name, prefix, new BucketPolicy(burst, rate), new Limits(named.tpm(), named.maxConcurrent(),
                        named.dailyRequests(), named.dailyTokens(), named.monthlyRequests(),
                        named.monthlyTokens()), zone, models, upstreams, paths, guards));
            }
        });
        return Map.copyOf(plans);
    }

    /** The limits a plan may set beyond its requests bucket, each unset by default. */
    private record Limits(OptionalLong tpm, OptionalLong maxConcurrent, OptionalLong dailyRequests, OptionalLong dailyTokens,
            OptionalLong monthlyRequests, OptionalLong monthlyTokens) {
    }

    private static Plan plan(Problems problems, String name, String prefix, BucketPolicy requests, Limits limits, ZoneId zone,
            List<String> models, List<String> upstreams, List<String> paths, Plan.Guards guards) {
        Optional<BucketPolicy> tokens = Optional.empty();
        if (limits.tpm().isPresent()) {
            long tpm = limits.tpm().getAsLong();
            problems.atLeast(prefix + "tpm", tpm, 1);
            // a whole minute's worth: the caller's own limit has no upstream bucket to keep a margin for
            tokens = tpm < 1 ? Optional.empty() : Optional.of(new BucketPolicy(tpm, Rate.perMinute(tpm)));
        }
        Optional<ConcurrencyPolicy> concurrency = Optional.empty();
        if (limits.maxConcurrent().isPresent()) {
            long most = limits.maxConcurrent().getAsLong();
            if (problems.between(prefix + "max-concurrent", most, 1, Plan.MAX_CONCURRENT)) {
                concurrency = Optional.of(ConcurrencyPolicy.of(most));
            }
        }
        List<Plan.Quota> quotas = new ArrayList<>();
        if (zone != null) {
            addQuota(problems, quotas, prefix + "daily-requests", limits.dailyRequests(), false, CalendarQuota.Period.DAY, zone);
            addQuota(problems, quotas, prefix + "daily-tokens", limits.dailyTokens(), true, CalendarQuota.Period.DAY, zone);
            addQuota(problems, quotas, prefix + "monthly-requests", limits.monthlyRequests(), false, CalendarQuota.Period.MONTH, zone);
            addQuota(problems, quotas, prefix + "monthly-tokens", limits.monthlyTokens(), true, CalendarQuota.Period.MONTH, zone);
        }
        return new Plan(name, requests, tokens, concurrency, quotas, models, upstreams, paths, guards);
    }

    private static void addQuota(Problems problems, List<Plan.Quota> quotas, String property, OptionalLong limit,
            boolean countsTokens, CalendarQuota.Period period, ZoneId zone) {
        if (limit.isEmpty()) {
            return;
        }
        if (limit.getAsLong() < 1) {
            problems.atLeast(property, limit.getAsLong(), 1);
            return;
        }
        quotas.add(new Plan.Quota(countsTokens, new CalendarQuota(limit.getAsLong(), period, zone)));
    }

    /**
     * A plan's paths: each an absolute {@code /v1/...} path without a trailing slash, query or wildcard (a
     * path allows what lies below it); {@code whenUnset} when the setting is.
     */
    private static List<String> paths(Problems problems, String property, Optional<List<String>> listed, List<String> whenUnset) {
        if (listed.isEmpty()) {
            return whenUnset;
        }
        List<String> paths = strip(listed);
        List<String> wrong = paths.stream()
                .filter(path -> !path.startsWith("/v1/") || path.endsWith("/") || path.contains("?") || path.contains("*"))
                .toList();
        if (!wrong.isEmpty()) {
            problems.add(property, "each path is a /v1/... path without a trailing slash, query or wildcard (it allows what "
                    + "lies below it), got " + String.join(", ", wrong));
        }
        return paths;
    }

    /** A plan's guards: each one set replaces {@code whenUnset}'s. */
    private static Plan.Guards guards(Problems problems, String prefix, Optional<String> duplicateRate, Optional<String> denyFile,
            OptionalLong maxPromptTokens, Optional<Boolean> coalesce, Optional<Duration> cacheTtl, Optional<Boolean> moderation,
            Plan.Guards whenUnset) {
        Optional<BucketPolicy> duplicates = whenUnset.duplicates();
        if (duplicateRate.isPresent()) {
            Rate rate = problems.check(prefix + "duplicate-rate", () -> Rate.parse(duplicateRate.get()));
            // N the same within the rate's period, then one more each period ÷ N
            duplicates = rate == null ? Optional.empty() : Optional.of(new BucketPolicy(rate.tokens(), rate));
        }
        DenyRules denyRules = whenUnset.denyRules();
        if (denyFile.isPresent()) {
            denyRules = problems.check(prefix + "deny-file", () -> {
                try {
                    return DenyRules.parse(Files.readAllLines(Path.of(denyFile.get().strip()), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read " + denyFile.get().strip() + " (" + e.getClass().getSimpleName() + ")");
                }
            });
            if (denyRules == null) {
                denyRules = DenyRules.NONE;
            }
        }
        OptionalLong maxPrompt = whenUnset.maxPromptTokens();
        if (maxPromptTokens.isPresent()) {
            problems.between(prefix + "max-prompt-tokens", maxPromptTokens.getAsLong(), 1, MAX_PROMPT_TOKENS);
            maxPrompt = maxPromptTokens;
        }
        cacheTtl.ifPresent(ttl -> problems.between(prefix + "cache-ttl", ttl, Duration.ofSeconds(1), MAX_CACHE_TTL));
        return new Plan.Guards(duplicates, denyRules, maxPrompt, coalesce.orElse(whenUnset.coalesce()),
                cacheTtl.isPresent() ? cacheTtl : whenUnset.cacheTtl(), moderation.orElse(whenUnset.moderation()));
    }

    /** A plan's upstreams, lower case, each of which exists. */
    private static List<String> upstreams(Problems problems, String prefix, Optional<List<String>> listed, Set<String> upstreamNames) {
        List<String> upstreams = strip(listed).stream().map(upstream -> upstream.toLowerCase(Locale.ROOT)).toList();
        List<String> unknown = upstreams.stream().filter(upstream -> !upstreamNames.contains(upstream)).toList();
        if (!unknown.isEmpty()) {
            problems.add(prefix + "upstreams", "no upstream is named " + String.join(", ", unknown) + "; the upstreams are "
                    + upstreamNames.stream().sorted().collect(Collectors.joining(", ")));
        }
        return upstreams;
    }

    private static List<String> strip(Optional<List<String>> values) {
        return values.orElse(List.of()).stream().map(String::strip).filter(value -> !value.isEmpty()).toList();
    }

    /**
     * The keys set in the environment, each with a plan that exists.
     *
     * @param plans the plans, to check each key's against
     */
    static List<StaticKey> staticKeys(Problems problems, SluiceConfig config, Map<String, Plan> plans) {
        List<StaticKey> keys = new ArrayList<>();
        new TreeMap<>(config.keys()).forEach((given, key) -> {
            String name = given.toLowerCase(Locale.ROOT);
            String prefix = "sluice.keys." + name + ".";
            if (!problems.validName(prefix + "sha256", given, name)) {
                return;
            }
            String sha256 = key.sha256().map(hash -> hash.strip().toLowerCase(Locale.ROOT)).orElse("");
            if (!sha256.matches("[0-9a-f]{64}")) {
                problems.add(prefix + "sha256", "must be the key's SHA-256 in 64 hex digits (printf %s \"$KEY\" | sha256sum)");
                return;
            }
            String plan = key.plan().map(String::strip).map(value -> value.toLowerCase(Locale.ROOT)).orElse(Plan.DEFAULT_NAME);
            if (!plans.containsKey(plan)) {
                problems.add(prefix + "plan", "no plan is named '" + plan + "'; the plans are "
                        + plans.keySet().stream().sorted().collect(Collectors.joining(", ")));
                return;
            }
            keys.add(new StaticKey(name, sha256, plan));
        });
        return List.copyOf(keys);
    }
}
