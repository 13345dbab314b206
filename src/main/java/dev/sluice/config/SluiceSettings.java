package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.limit.Rate;
import dev.sluice.net.AddressRange;
import io.quarkus.runtime.configuration.ConfigurationException;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * {@link SluiceConfig} checked and turned into the objects the rest of Sluice uses. Every problem
 * is reported at once, each naming its environment variable, so a bad deployment fails at start-up
 * with one clear message instead of at the first request.
 *
 * @param upstreamUrl          base URL of the upstream, without a trailing slash
 * @param upstreamApiKey       Sluice's own upstream key; empty in pass-through mode
 * @param upstreamRequests     the upstream key's requests bucket; empty when no RPM is set
 * @param callerRequests       each caller's requests bucket
 * @param maxWaitNanos         how long a request may be held for its tokens
 * @param maxBodyBytes         largest request body accepted
 * @param connectTimeout       longest wait for an upstream connection
 * @param upstreamTimeout      longest wait for a reply, or for a stream's first byte
 * @param upstreamMaxConnections most connections open to the upstream at once, per client
 * @param store                where the buckets live, and what happens when that is unreachable
 * @param upstreamTokens       the upstream key's tokens-per-minute bucket; empty when no TPM is set
 * @param callerQuotas         each caller's daily and monthly quotas that are set
 * @param clientIp             the per-client-address limit; empty when off
 * @param defaultMaxTokens     completion tokens reserved per choice when a request sets no maximum
 * @param usage                usage counters: how often they are written, how long they are kept
 * @param resilience           retries, circuit breaker and bulkhead of upstream calls
 */
public record SluiceSettings(
        URI upstreamUrl,
        Optional<String> upstreamApiKey,
        Optional<BucketPolicy> upstreamRequests,
        BucketPolicy callerRequests,
        long maxWaitNanos,
        long maxBodyBytes,
        Duration connectTimeout,
        Duration upstreamTimeout,
        int upstreamMaxConnections,
        Store store,
        Optional<BucketPolicy> upstreamTokens,
        List<CallerQuota> callerQuotas,
        Optional<ClientIpLimit> clientIp,
        long defaultMaxTokens,
        Usage usage,
        Resilience resilience) {

    /**
     * @param maxAttempts       attempts per request, the first included
     * @param maxTotalNanos     from the first attempt to the start of the last retry
     * @param baseDelayMillis   the first retry's backoff ceiling
     * @param maxDelayMillis    any retry's backoff ceiling
     * @param budgetRatio       retries per first attempt over the window
     * @param budgetMinRetries  retries per window whatever the traffic
     * @param budgetWindowNanos the budget's sliding window
     * @param breakerFailures   consecutive failed attempts that open the breaker
     * @param breakerDelayMillis how long an open breaker refuses calls
     * @param maxConcurrent     calls awaiting the upstream at once (and as many queued)
     */
    public record Resilience(int maxAttempts, long maxTotalNanos, long baseDelayMillis, long maxDelayMillis,
            double budgetRatio, int budgetMinRetries, long budgetWindowNanos, int breakerFailures,
            long breakerDelayMillis, int maxConcurrent) {
    }

    /**
     * A caller's quota per calendar window.
     *
     * @param countsTokens tokens (prompt + completion) rather than requests
     */
    public record CallerQuota(boolean countsTokens, CalendarQuota quota) {
    }

    /**
     * @param requests       each client address's bucket
     * @param trustedProxies whose X-Forwarded-For is believed
     */
    public record ClientIpLimit(BucketPolicy requests, List<AddressRange> trustedProxies) {
    }

    /**
     * @param flushIntervalNanos how often counters are written to the store
     * @param retentionNanos     how long the store keeps them
     * @param zone               whose calendar days the counters count (the quota zone)
     */
    public record Usage(long flushIntervalNanos, long retentionNanos, ZoneId zone) {
    }

    /** Whether any limit counts tokens: only then is a request's cost estimated and settled. */
    public boolean countsTokens() {
        return upstreamTokens.isPresent() || callerQuotas.stream().anyMatch(CallerQuota::countsTokens);
    }

    /**
     * @param kind               memory or infinispan
     * @param failureMode        closed (503) or open (local buckets) while the shared store is unreachable
     * @param fallbackShare      open mode: each limit's share used locally, in (0, 1]
     * @param retryIntervalNanos how long the shared store is left alone after a failure
     * @param threads            threads waiting for the shared store's answers
     */
    public record Store(StoreKind kind, FailoverBucketStore.Mode failureMode, double fallbackShare,
            long retryIntervalNanos, int threads) {
    }

    /** Longer holds would tie up connections for no good reason, and keep the arithmetic far from overflow. */
    static final Duration MAX_WAIT_LIMIT = Duration.ofHours(1);

    @Override
    public String toString() { // the key must never reach a log
        return "SluiceSettings[upstreamUrl=" + upstreamUrl + ", mode=" + (managedMode() ? "managed" : "pass-through")
                + ", upstreamRequests=" + upstreamRequests + ", callerRequests=" + callerRequests
                + ", maxWaitNanos=" + maxWaitNanos + ", maxBodyBytes=" + maxBodyBytes + ", store=" + store
                + ", upstreamTokens=" + upstreamTokens + ", callerQuotas=" + callerQuotas + ", clientIp=" + clientIp
                + ", defaultMaxTokens=" + defaultMaxTokens + ", usage=" + usage + ", resilience=" + resilience + "]";
    }

    /** Sluice sends its own key upstream; callers' tokens only identify them. */
    public boolean managedMode() {
        return upstreamApiKey.isPresent();
    }

    public static SluiceSettings from(SluiceConfig config) {
        List<String> problems = new ArrayList<>();
        URI upstreamUrl = check(problems, "sluice.upstream.url", () -> parseUpstreamUrl(config.upstream().url()));
        Optional<String> apiKey = config.upstream().apiKey().map(String::strip).filter(key -> !key.isEmpty());
        Optional<BucketPolicy> upstreamRequests = check(problems, "sluice.upstream.rpm",
                () -> upstreamRequestsPolicy(config.upstream().rpm(), config.upstream().burst()));
        BucketPolicy callerRequests = check(problems, "sluice.caller.rate",
                () -> new BucketPolicy(positive(config.caller().burst(), "sluice.caller.burst"),
                        Rate.parse(config.caller().rate())));
        Duration maxWait = config.maxWait();
        if (maxWait.isNegative() || maxWait.compareTo(MAX_WAIT_LIMIT) > 0) {
            problems.add(problem("sluice.max-wait", "must be between 0 and " + MAX_WAIT_LIMIT.toMinutes()
                    + " minutes, got " + maxWait));
        }
        long maxBodyBytes = config.maxBody().asLongValue();
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE) {
            problems.add(problem("sluice.max-body", "must be between 1 byte and 2 GiB, got " + maxBodyBytes + " bytes"));
        }
        requirePositive(problems, "sluice.upstream.connect-timeout", config.upstream().connectTimeout());
        requirePositive(problems, "sluice.upstream.timeout", config.upstream().timeout());
        if (config.upstream().maxConnections() < 1) {
            problems.add(problem("sluice.upstream.max-connections", "must be at least 1, got "
                    + config.upstream().maxConnections()));
        }
        if (!(config.storeFallbackShare() > 0 && config.storeFallbackShare() <= 1)) {
            problems.add(problem("sluice.store-fallback-share", "must be above 0 and at most 1, got "
                    + config.storeFallbackShare()));
        }
        requirePositive(problems, "sluice.store-retry-interval", config.storeRetryInterval());
        if (config.storeThreads() < 1) {
            problems.add(problem("sluice.store-threads", "must be at least 1, got " + config.storeThreads()));
        }
        Optional<BucketPolicy> upstreamTokens = check(problems, "sluice.upstream.tpm",
                () -> upstreamTokensPolicy(config.upstream().tpm(), config.upstream().tokenBurst()));
        ZoneId quotaZone = check(problems, "sluice.quota-zone", () -> parseZone(config.quotaZone()));
        List<CallerQuota> callerQuotas = new ArrayList<>();
        if (quotaZone != null) {
            addQuota(problems, callerQuotas, "sluice.caller.daily-requests", config.caller().dailyRequests(), false,
                    CalendarQuota.Period.DAY, quotaZone);
            addQuota(problems, callerQuotas, "sluice.caller.daily-tokens", config.caller().dailyTokens(), true,
                    CalendarQuota.Period.DAY, quotaZone);
            addQuota(problems, callerQuotas, "sluice.caller.monthly-requests", config.caller().monthlyRequests(), false,
                    CalendarQuota.Period.MONTH, quotaZone);
            addQuota(problems, callerQuotas, "sluice.caller.monthly-tokens", config.caller().monthlyTokens(), true,
                    CalendarQuota.Period.MONTH, quotaZone);
        }
        Optional<ClientIpLimit> clientIp = check(problems, "sluice.client-ip.rate", () -> clientIpLimit(config.clientIp()));
        if (config.defaultMaxTokens() < 1 || config.defaultMaxTokens() > 10_000_000) {
            problems.add(problem("sluice.default-max-tokens", "must be between 1 and 10000000, got "
                    + config.defaultMaxTokens()));
        }
        SluiceConfig.Retry retry = config.retry();
        if (retry.maxAttempts() < 1 || retry.maxAttempts() > 10) {
            problems.add(problem("sluice.retry.max-attempts", "must be between 1 and 10, got " + retry.maxAttempts()));
        }
        requirePositive(problems, "sluice.retry.max-total", retry.maxTotal());
        if (retry.baseDelay().toMillis() < 1 || retry.maxDelay().compareTo(retry.baseDelay()) < 0) {
            problems.add(problem("sluice.retry.base-delay", "must be at least 1ms and at most SLUICE_RETRY_MAX_DELAY, got "
                    + retry.baseDelay() + " and " + retry.maxDelay()));
        }
        if (!(retry.budget() >= 0 && retry.budget() <= 10)) {
            problems.add(problem("sluice.retry.budget", "must be between 0 and 10 retries per request, got " + retry.budget()));
        }
        if (config.upstream().breakerFailures() < 1) {
            problems.add(problem("sluice.upstream.breaker-failures", "must be at least 1, got " + config.upstream().breakerFailures()));
        }
        requirePositive(problems, "sluice.upstream.breaker-delay", config.upstream().breakerDelay());
        if (config.upstream().maxConcurrent() < 1) {
            problems.add(problem("sluice.upstream.max-concurrent", "must be at least 1, got " + config.upstream().maxConcurrent()));
        }
        if (retry.budgetMinRetries() < 0) {
            problems.add(problem("sluice.retry.budget-min-retries", "must not be negative, got " + retry.budgetMinRetries()));
        }
        if (retry.budgetWindow().toMillis() < 10) {
            problems.add(problem("sluice.retry.budget-window", "must be at least 10ms, got " + retry.budgetWindow()));
        }
        requirePositive(problems, "sluice.usage.flush-interval", config.usage().flushInterval());
        requirePositive(problems, "sluice.usage.retention", config.usage().retention());
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid Sluice configuration:\n  - " + String.join("\n  - ", problems));
        }
        return new SluiceSettings(upstreamUrl, apiKey, upstreamRequests, callerRequests, maxWait.toNanos(),
                maxBodyBytes, config.upstream().connectTimeout(), config.upstream().timeout(),
                config.upstream().maxConnections(),
                new Store(config.store(), config.storeFailure(), config.storeFallbackShare(),
                        config.storeRetryInterval().toNanos(), config.storeThreads()),
                upstreamTokens, List.copyOf(callerQuotas), clientIp, config.defaultMaxTokens(),
                new Usage(config.usage().flushInterval().toNanos(), config.usage().retention().toNanos(), quotaZone),
                new Resilience(retry.maxAttempts(), retry.maxTotal().toNanos(), retry.baseDelay().toMillis(),
                        retry.maxDelay().toMillis(), retry.budget(), retry.budgetMinRetries(), retry.budgetWindow().toNanos(),
                        config.upstream().breakerFailures(), config.upstream().breakerDelay().toMillis(),
                        config.upstream().maxConcurrent()));
    }

    /** {@code sluice.caller.rate} → {@code SLUICE_CALLER_RATE}. */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String problem(String property, String what) {
        return envName(property) + " (" + property + "): " + what;
    }

    private static <T> T check(List<String> problems, String property, Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            // a message that names its own variable is already precise
            problems.add(message.startsWith("SLUICE_") ? message : problem(property, message));
            return null;
        }
    }

    private static void requirePositive(List<String> problems, String property, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            problems.add(problem(property, "must be positive, got " + duration));
        }
    }

    private static long positive(long value, String property) {
        if (value < 1) {
            throw new IllegalArgumentException(problem(property, "must be at least 1, got " + value));
        }
        return value;
    }

    private static URI parseUpstreamUrl(String text) {
        URI uri;
        try {
            uri = URI.create(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' is not an http(s) URL with a host, e.g. https://api.openai.com/v1");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("'" + text + "' must not have a query or fragment");
        }
        String withoutTrailingSlash = uri.toString().replaceAll("/+$", "");
        return URI.create(withoutTrailingSlash);
    }

    private static Optional<BucketPolicy> upstreamTokensPolicy(OptionalLong tpm, OptionalLong burst) {
        if (tpm.isEmpty()) {
            if (burst.isPresent()) {
                throw new IllegalArgumentException(problem("sluice.upstream.token-burst",
                        "is set but SLUICE_UPSTREAM_TPM is not; a burst needs a rate"));
            }
            return Optional.empty();
        }
        long tokensPerMinute = positive(tpm.getAsLong(), "sluice.upstream.tpm");
        // Nearly a whole minute's worth by default: one request may reserve thousands of tokens, and
        // a bucket much smaller could never admit it. 99 %, so that the upstream's own bucket keeps
        // 1 % (0.6 s of refill) in hand: requests that reach it a little closer together than Sluice
        // let them go, as network and scheduling jitter makes them, still find their tokens.
        long capacity = burst.isPresent() ? positive(burst.getAsLong(), "sluice.upstream.token-burst")
                : Math.max(1, (long) (tokensPerMinute * 0.99));
        return Optional.of(new BucketPolicy(capacity, Rate.perMinute(tokensPerMinute)));
    }

    private static void addQuota(List<String> problems, List<CallerQuota> quotas, String property, OptionalLong limit,
            boolean countsTokens, CalendarQuota.Period period, ZoneId zone) {
        if (limit.isEmpty()) {
            return;
        }
        if (limit.getAsLong() < 1) {
            problems.add(problem(property, "must be at least 1, got " + limit.getAsLong()));
            return;
        }
        quotas.add(new CallerQuota(countsTokens, new CalendarQuota(limit.getAsLong(), period, zone)));
    }

    private static ZoneId parseZone(String text) {
        try {
            return ZoneId.of(text.strip());
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time zone; use e.g. UTC or Europe/Paris");
        }
    }

    private static Optional<ClientIpLimit> clientIpLimit(SluiceConfig.ClientIp config) {
        List<AddressRange> trusted = new ArrayList<>();
        for (String range : config.trustedProxies().orElse(List.of())) {
            try {
                trusted.add(AddressRange.parse(range));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(problem("sluice.client-ip.trusted-proxies", e.getMessage()));
            }
        }
        if (config.rate().isEmpty()) {
            if (config.burst().isPresent()) {
                throw new IllegalArgumentException(problem("sluice.client-ip.burst",
                        "is set but SLUICE_CLIENT_IP_RATE is not; a burst needs a rate"));
            }
            return Optional.empty();
        }
        Rate rate = Rate.parse(config.rate().get());
        long burst = config.burst().isPresent() ? positive(config.burst().getAsLong(), "sluice.client-ip.burst") : rate.tokens();
        return Optional.of(new ClientIpLimit(new BucketPolicy(burst, rate), List.copyOf(trusted)));
    }

    private static Optional<BucketPolicy> upstreamRequestsPolicy(OptionalLong rpm, OptionalLong burst) {
        if (rpm.isEmpty()) {
            if (burst.isPresent()) {
                throw new IllegalArgumentException(problem("sluice.upstream.burst",
                        "is set but SLUICE_UPSTREAM_RPM is not; a burst needs a rate"));
            }
            return Optional.empty();
        }
        long requestsPerMinute = positive(rpm.getAsLong(), "sluice.upstream.rpm");
        // OpenAI enforces its per-minute limits over short periods (about a second's worth): a full
        // minute's burst at once would be refused upstream. 90 % of that, so that requests which
        // reach the upstream a little closer together than Sluice let them go still find a token.
        long capacity = burst.isPresent()
                ? positive(burst.getAsLong(), "sluice.upstream.burst")
                : Math.max(1, (long) (requestsPerMinute / 60.0 * 0.9));
        return Optional.of(new BucketPolicy(capacity, Rate.perMinute(requestsPerMinute)));
    }
}
