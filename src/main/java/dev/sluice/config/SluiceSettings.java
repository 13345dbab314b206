package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.limit.Rate;
import dev.sluice.net.AddressRange;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link SluiceConfig} checked and turned into the objects the rest of Sluice uses: times as
 * {@link Duration}s, rates as {@link Rate}s and buckets. Every problem is reported at once, each naming
 * its environment variable ({@link Problems}), so a bad deployment fails at start-up with one clear
 * message instead of at the first request. Defaults are {@link SluiceConfig}'s; each bound is written
 * once, in {@link #from(SluiceConfig, Optional)}. Keys and passwords are {@link Secret}s, so the
 * records print whole.
 *
 * @param upstreams      the upstreams, in configured order (by name), at least one
 * @param plans          the plans by name, {@value Plan#DEFAULT_NAME} among them
 * @param callers        who may call: keys set in the environment, the admin token, how keys are kept in step
 * @param maxWait        how long a request may be held for its tokens
 * @param maxBodyBytes   largest request body accepted
 * @param maxUploadBytes largest body streamed through to the other /v1 endpoints
 * @param connections    how upstream calls connect and how long they may take
 * @param store          where the buckets live, and what happens when that is unreachable
 * @param clientIp       the per-client-address limit; empty when off
 * @param defaultMaxTokens completion tokens reserved per choice when a request sets no maximum
 * @param usage          usage counters: how often they are written, how long they are kept
 * @param resilience     retries, circuit breaker and bulkhead of upstream calls
 */
public record SluiceSettings(
        List<UpstreamSettings> upstreams,
        Map<String, Plan> plans,
        Callers callers,
        Duration maxWait,
        long maxBodyBytes,
        long maxUploadBytes,
        Connections connections,
        Store store,
        Optional<ClientIpLimit> clientIp,
        long defaultMaxTokens,
        Usage usage,
        Resilience resilience,
        Metrics metrics) {

    /**
     * @param maxModels distinct model names that get their own metric label; later ones are {@code other}
     * @param planLabel   whether request metrics carry the caller's plan
     * @param emfInterval how often metrics are written as CloudWatch EMF lines; empty: never
     */
    public record Metrics(int maxModels, boolean planLabel, Optional<Duration> emfInterval) {
    }

    /**
     * @param connectTimeout longest wait for an upstream connection
     * @param replyTimeout   longest wait for a reply, or for a stream's first byte
     * @param maxConnections most connections open to an upstream at once, per client
     */
    public record Connections(Duration connectTimeout, Duration replyTimeout, int maxConnections) {
    }

    /**
     * @param retry          when a failed attempt is tried again
     * @param breaker        when an upstream is left alone
     * @param maxConcurrent  calls awaiting an upstream at once (and as many queued)
     * @param maxCooldown    the longest pause of an upstream one 429 imposes on the fleet
     */
    public record Resilience(Retry retry, Breaker breaker, int maxConcurrent, Duration maxCooldown) {
    }

    /**
     * @param maxAttempts attempts per request, the first included
     * @param maxTotal    from the first attempt to the start of the last retry
     * @param baseDelay   the first retry's backoff ceiling
     * @param maxDelay    any retry's backoff ceiling
     * @param budget      retries allowed across requests
     */
    public record Retry(int maxAttempts, Duration maxTotal, Duration baseDelay, Duration maxDelay, RetryBudget budget) {
    }

    /**
     * @param ratio      retries per first attempt over the window
     * @param minRetries retries per window whatever the traffic
     * @param window     the budget's sliding window
     */
    public record RetryBudget(double ratio, int minRetries, Duration window) {
    }

    /**
     * @param failures consecutive failed attempts that open the breaker
     * @param delay    how long an open breaker refuses calls
     * @param callers  distinct callers whose recent failures it takes before any counts
     */
    public record Breaker(int failures, Duration delay, int callers) {
    }

    /**
     * @param acceptAnyKey    managed mode: any bearer token is a caller of the default plan (for trying Sluice out)
     * @param staticKeys      keys set in the environment
     * @param adminToken      the admin API's token; empty when the admin API is off
     * @param keySyncInterval how often an instance looks for key changes made elsewhere
     */
    public record Callers(boolean acceptAnyKey, List<StaticKey> staticKeys, Optional<Secret> adminToken, Duration keySyncInterval) {
    }

    /** The plan of every caller without a key of another plan ({@code SLUICE_CALLER_*}). */
    public Plan defaultPlan() {
        return plans.get(Plan.DEFAULT_NAME);
    }

    /**
     * @param requests       each client address's bucket
     * @param trustedProxies whose X-Forwarded-For is believed
     */
    public record ClientIpLimit(BucketPolicy requests, List<AddressRange> trustedProxies) {
    }

    /**
     * @param flushInterval how often counters are written to the store
     * @param retention     how long the store keeps them
     * @param zone          whose calendar days the counters count (the quota zone)
     */
    public record Usage(Duration flushInterval, Duration retention, ZoneId zone) {
    }

    /**
     * @param kind           memory or infinispan
     * @param failureMode    closed (503) or open (local buckets) while the shared store is unreachable
     * @param fallbackShare  open mode: each limit's share used locally, in (0, 1]
     * @param retryInterval  how long the shared store is left alone after a failure
     * @param failoverWindow how long a failed admission call is sent again (to another node)
     * @param threads        threads waiting for the shared store's answers
     */
    public record Store(StoreKind kind, FailoverBucketStore.Mode failureMode, double fallbackShare,
            Duration retryInterval, Duration failoverWindow, int threads) {
    }

    /** Whether any limit counts tokens: only then is a request's cost estimated and settled. */
    public boolean countsTokens() {
        return upstreams.stream().anyMatch(upstream -> upstream.tokens().isPresent())
                || plans.values().stream().anyMatch(Plan::countsTokens);
    }

    /** Longer would keep every request waiting on a store that is not coming back soon. */
    static final Duration MAX_FAILOVER_WINDOW = Duration.ofSeconds(30);
    /** Longer holds would tie up connections for no good reason, and keep the arithmetic far from overflow. */
    static final Duration MAX_WAIT_LIMIT = Duration.ofHours(1);
    /** A body streamed through is counted in a long; 64 GiB is beyond any upstream's file limit. */
    static final long MAX_UPLOAD_LIMIT = 64L << 30;
    /** Quarkus's property for the Infinispan servers, which the Infinispan store cannot do without. */
    public static final String INFINISPAN_HOSTS = "quarkus.infinispan-client.hosts";

    public static SluiceSettings from(SluiceConfig config) {
        return from(config, Map.of());
    }

    /** @param environment the process's environment variables, for {@value #INFINISPAN_HOSTS} */
    public static SluiceSettings from(SluiceConfig config, Map<String, String> environment) {
        return from(config, Optional.ofNullable(environment.get(envName(INFINISPAN_HOSTS))));
    }

    /**
     * @param infinispanHosts {@value #INFINISPAN_HOSTS} as configured, from whichever source
     * @throws InvalidConfigurationException listing every problem found
     */
    public static SluiceSettings from(SluiceConfig config, Optional<String> infinispanHosts) {
        Problems problems = new Problems();
        if (config.store() == StoreKind.INFINISPAN && infinispanHosts.map(String::isBlank).orElse(true)) {
            problems.add(INFINISPAN_HOSTS, "SLUICE_STORE=infinispan needs the Infinispan servers to connect to: "
                    + "host:port[;host:port...], e.g. 127.0.0.1:11222");
        }
        List<UpstreamSettings> upstreams = Upstreams.from(problems, config);
        problems.between("sluice.max-wait", config.maxWait(), Duration.ZERO, MAX_WAIT_LIMIT);
        long maxBodyBytes = config.maxBody().asLongValue();
        problems.between("sluice.max-body", maxBodyBytes, 1, Integer.MAX_VALUE);
        long maxUploadBytes = config.maxUpload().asLongValue();
        problems.between("sluice.max-upload", maxUploadBytes, 1, MAX_UPLOAD_LIMIT);

        SluiceConfig.Upstream upstream = config.upstream();
        problems.positive("sluice.upstream.connect-timeout", upstream.connectTimeout());
        problems.positive("sluice.upstream.timeout", upstream.timeout());
        problems.atLeast("sluice.upstream.max-connections", upstream.maxConnections(), 1);
        problems.atLeast("sluice.upstream.breaker-failures", upstream.breakerFailures(), 1);
        problems.positive("sluice.upstream.breaker-delay", upstream.breakerDelay());
        problems.between("sluice.upstream.breaker-callers", upstream.breakerCallers(), 1, 100);
        problems.atLeast("sluice.upstream.max-concurrent", upstream.maxConcurrent(), 1);
        problems.between("sluice.upstream.max-cooldown", upstream.maxCooldown(), Duration.ofSeconds(1), Duration.ofHours(1));

        if (!(config.storeFallbackShare() > 0 && config.storeFallbackShare() <= 1)) {
            problems.add("sluice.store-fallback-share", "must be above 0 and at most 1, got " + config.storeFallbackShare());
        }
        problems.positive("sluice.store-retry-interval", config.storeRetryInterval());
        problems.between("sluice.store-failover-window", config.storeFailoverWindow(), Duration.ZERO, MAX_FAILOVER_WINDOW);
        problems.atLeast("sluice.store-threads", config.storeThreads(), 1);

        ZoneId quotaZone = problems.check("sluice.quota-zone", () -> parseZone(config.quotaZone()));
        Map<String, Plan> plans = Plans.from(problems, config, quotaZone,
                upstreams.stream().map(UpstreamSettings::name).collect(Collectors.toSet()));
        List<StaticKey> staticKeys = Plans.staticKeys(problems, config, plans);
        Optional<Secret> adminToken = config.adminToken().map(String::strip).filter(token -> !token.isEmpty()).map(Secret::new);
        // a bearer secret that guards every key: long enough that guessing it is hopeless
        adminToken.filter(token -> token.value().length() < 32).ifPresent(token -> problems.add("sluice.admin-token",
                "must be at least 32 characters long, got " + token.value().length()));
        problems.between("sluice.key-sync-interval", config.keySyncInterval(), Duration.ofMillis(100), Duration.ofSeconds(5));
        Optional<ClientIpLimit> clientIp = problems.check("sluice.client-ip.rate", () -> clientIpLimit(config.clientIp()));
        problems.between("sluice.default-max-tokens", config.defaultMaxTokens(), 1, 10_000_000);

        SluiceConfig.Retry retry = config.retry();
        problems.between("sluice.retry.max-attempts", retry.maxAttempts(), 1, 10);
        problems.positive("sluice.retry.max-total", retry.maxTotal());
        problems.between("sluice.retry.base-delay", retry.baseDelay(), Duration.ofMillis(1), retry.maxDelay());
        problems.between("sluice.retry.budget", retry.budget(), 0, 10);
        problems.atLeast("sluice.retry.budget-min-retries", retry.budgetMinRetries(), 0);
        problems.atLeast("sluice.retry.budget-window", retry.budgetWindow(), Duration.ofMillis(10));

        problems.positive("sluice.usage.flush-interval", config.usage().flushInterval());
        problems.positive("sluice.usage.retention", config.usage().retention());
        problems.between("sluice.metrics.max-models", config.metrics().maxModels(), 0, 1000);
        config.metrics().emfInterval().ifPresent(interval ->
                problems.between("sluice.metrics.emf-interval", interval, Duration.ofSeconds(1), Duration.ofHours(1)));
        problems.throwIfAny();
        return new SluiceSettings(upstreams, plans,
                new Callers(config.acceptAnyKey(), staticKeys, adminToken, config.keySyncInterval()), config.maxWait(), maxBodyBytes, maxUploadBytes,
                new Connections(upstream.connectTimeout(), upstream.timeout(), upstream.maxConnections()),
                new Store(config.store(), config.storeFailure(), config.storeFallbackShare(), config.storeRetryInterval(),
                        config.storeFailoverWindow(), config.storeThreads()),
                clientIp, config.defaultMaxTokens(),
                new Usage(config.usage().flushInterval(), config.usage().retention(), quotaZone),
                new Resilience(new Retry(retry.maxAttempts(), retry.maxTotal(), retry.baseDelay(), retry.maxDelay(),
                        new RetryBudget(retry.budget(), retry.budgetMinRetries(), retry.budgetWindow())),
                        new Breaker(upstream.breakerFailures(), upstream.breakerDelay(), upstream.breakerCallers()), upstream.maxConcurrent(),
                        upstream.maxCooldown()),
                new Metrics(config.metrics().maxModels(), config.metrics().planLabel(), config.metrics().emfInterval()));
    }

    /** {@code sluice.caller.rate} → {@code SLUICE_CALLER_RATE}. */
    public static String envName(String property) {
        return Problems.envName(property);
    }

    private static ZoneId parseZone(String text) {
        try {
            return ZoneId.of(text.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time zone; use e.g. UTC or Europe/Paris");
        }
    }

    private static Optional<ClientIpLimit> clientIpLimit(SluiceConfig.ClientIp config) {
        List<AddressRange> trusted = new ArrayList<>();
        for (String range : config.trustedProxies().orElse(List.of())) {
            try {
                trusted.add(AddressRange.parse(range));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(Problems.describe("sluice.client-ip.trusted-proxies", e.getMessage()));
            }
        }
        if (config.rate().isEmpty()) {
            if (config.burst().isPresent()) {
                throw new IllegalArgumentException(Problems.describe("sluice.client-ip.burst",
                        "is set but SLUICE_CLIENT_IP_RATE is not; a burst needs a rate"));
            }
            return Optional.empty();
        }
        Rate rate = Rate.parse(config.rate().get());
        // unset: the rate's N, so that an address may send a period's worth at once
        long burst = config.burst().isPresent() ? Problems.positive(config.burst().getAsLong(), "sluice.client-ip.burst") : rate.tokens();
        return Optional.of(new ClientIpLimit(new BucketPolicy(burst, rate), List.copyOf(trusted)));
    }
}
