package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.CalendarQuota;
import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.limit.Rate;
import dev.sluice.net.AddressRange;
import io.quarkus.runtime.configuration.ConfigurationException;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link SluiceConfig} checked and turned into the objects the rest of Sluice uses. Every problem
 * is reported at once, each naming its environment variable, so a bad deployment fails at start-up
 * with one clear message instead of at the first request.
 *
 * @param upstreams            the upstreams, in configured order (by name), at least one
 * @param callerRequests       each caller's requests bucket
 * @param maxWaitNanos         how long a request may be held for its tokens
 * @param maxBodyBytes         largest request body accepted
 * @param connectTimeout       longest wait for an upstream connection
 * @param upstreamTimeout      longest wait for a reply, or for a stream's first byte
 * @param upstreamMaxConnections most connections open to the upstream at once, per client
 * @param store                where the buckets live, and what happens when that is unreachable
 * @param callerQuotas         each caller's daily and monthly quotas that are set
 * @param clientIp             the per-client-address limit; empty when off
 * @param defaultMaxTokens     completion tokens reserved per choice when a request sets no maximum
 * @param usage                usage counters: how often they are written, how long they are kept
 * @param resilience           retries, circuit breaker and bulkhead of upstream calls
 */
public record SluiceSettings(
        List<UpstreamSettings> upstreams,
        BucketPolicy callerRequests,
        long maxWaitNanos,
        long maxBodyBytes,
        Duration connectTimeout,
        Duration upstreamTimeout,
        int upstreamMaxConnections,
        Store store,
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
        return upstreams.stream().anyMatch(upstream -> upstream.tokens().isPresent()) || callerQuotas.stream().anyMatch(CallerQuota::countsTokens);
    }

    /**
     * @param kind               memory or infinispan
     * @param failureMode        closed (503) or open (local buckets) while the shared store is unreachable
     * @param fallbackShare      open mode: each limit's share used locally, in (0, 1]
     * @param retryIntervalNanos how long the shared store is left alone after a failure
     * @param failoverWindowNanos how long a failed admission call is sent again (to another node)
     * @param threads            threads waiting for the shared store's answers
     */
    public record Store(StoreKind kind, FailoverBucketStore.Mode failureMode, double fallbackShare,
            long retryIntervalNanos, long failoverWindowNanos, int threads) {
    }

    /** Longer would keep every request waiting on a store that is not coming back soon. */
    static final Duration MAX_FAILOVER_WINDOW = Duration.ofSeconds(30);

    /** Longer holds would tie up connections for no good reason, and keep the arithmetic far from overflow. */
    static final Duration MAX_WAIT_LIMIT = Duration.ofHours(1);

    @Override
    public String toString() { // the key must never reach a log
        return "SluiceSettings[upstreams=" + upstreams + ", callerRequests=" + callerRequests
                + ", maxWaitNanos=" + maxWaitNanos + ", maxBodyBytes=" + maxBodyBytes + ", store=" + store
                + ", callerQuotas=" + callerQuotas + ", clientIp=" + clientIp
                + ", defaultMaxTokens=" + defaultMaxTokens + ", usage=" + usage + ", resilience=" + resilience + "]";
    }

    public static SluiceSettings from(SluiceConfig config) {
        return from(config, Map.of());
    }

    /**
     * @param environment the process's environment variables: a {@code SLUICE_UPSTREAMS_*} variable
     *                    that configures nothing (a misspelt setting, a name with an underscore) is
     *                    reported rather than ignored
     */
    public static SluiceSettings from(SluiceConfig config, Map<String, String> environment) {
        return from(config, environment, Optional.ofNullable(environment.get(envName(INFINISPAN_HOSTS))));
    }

    /** Quarkus's property for the Infinispan servers, which the Infinispan store cannot do without. */
    public static final String INFINISPAN_HOSTS = "quarkus.infinispan-client.hosts";

    /**
     * @param infinispanHosts {@value #INFINISPAN_HOSTS} as configured, from whichever source
     */
    public static SluiceSettings from(SluiceConfig config, Map<String, String> environment, Optional<String> infinispanHosts) {
        List<String> problems = new ArrayList<>();
        if (config.store() == StoreKind.INFINISPAN && infinispanHosts.map(String::isBlank).orElse(true)) {
            problems.add(problem(INFINISPAN_HOSTS, "SLUICE_STORE=infinispan needs the Infinispan servers to connect to: "
                    + "host:port[;host:port...], e.g. 127.0.0.1:11222"));
        }
        List<UpstreamSettings> upstreams = upstreams(problems, config);
        checkUpstreamVariables(problems, environment, config.upstreams().keySet());
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
        if (config.storeFailoverWindow().isNegative() || config.storeFailoverWindow().compareTo(MAX_FAILOVER_WINDOW) > 0) {
            problems.add(problem("sluice.store-failover-window", "must be between 0 and " + MAX_FAILOVER_WINDOW.toSeconds()
                    + " seconds, got " + config.storeFailoverWindow()));
        }
        if (config.storeThreads() < 1) {
            problems.add(problem("sluice.store-threads", "must be at least 1, got " + config.storeThreads()));
        }
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
        return new SluiceSettings(List.copyOf(upstreams), callerRequests, maxWait.toNanos(),
                maxBodyBytes, config.upstream().connectTimeout(), config.upstream().timeout(),
                config.upstream().maxConnections(),
                new Store(config.store(), config.storeFailure(), config.storeFallbackShare(),
                        config.storeRetryInterval().toNanos(), config.storeFailoverWindow().toNanos(), config.storeThreads()),
                List.copyOf(callerQuotas), clientIp, config.defaultMaxTokens(),
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

    /**
     * The named upstreams, or the one the {@code SLUICE_UPSTREAM_*} shorthand describes (named
     * {@value UpstreamSettings#DEFAULT_NAME}). Either all upstreams have a key (managed) or none has:
     * a caller's own key is not sent to some upstreams and replaced for others.
     */
    private static List<UpstreamSettings> upstreams(List<String> problems, SluiceConfig config) {
        SluiceConfig.Upstream shorthand = config.upstream();
        List<UpstreamSettings> upstreams = new ArrayList<>();
        if (config.upstreams().isEmpty()) {
            upstreams.add(upstream(problems, UpstreamSettings.DEFAULT_NAME, "sluice.upstream.", shorthand,
                    Optional.of(shorthand.url().orElse(DEFAULT_UPSTREAM_URL)), Optional.empty(), 1, Optional.empty()));
            return upstreams;
        }
        // (its url may be set, by a test or a platform default: the named upstreams replace it)
        Map<String, Boolean> shorthandSet = new LinkedHashMap<>();
        shorthandSet.put("api-key", shorthand.apiKey().isPresent());
        shorthandSet.put("rpm", shorthand.rpm().isPresent());
        shorthandSet.put("burst", shorthand.burst().isPresent());
        shorthandSet.put("tpm", shorthand.tpm().isPresent());
        shorthandSet.put("token-burst", shorthand.tokenBurst().isPresent());
        shorthandSet.put("token-accounting", shorthand.tokenAccounting().isPresent());
        shorthandSet.put("proxy", shorthand.proxy().isPresent());
        shorthandSet.forEach((property, set) -> {
            if (set) {
                problems.add(problem("sluice.upstream." + property, "describes the one upstream; with named upstreams "
                        + "(SLUICE_UPSTREAMS_<NAME>_*) set it on each of them instead"));
            }
        });
        new TreeMap<>(config.upstreams()).forEach((name, named) -> {
            String id = name.toLowerCase(Locale.ROOT);
            String prefix = "sluice.upstreams." + id + ".";
            if (!id.matches("[a-z0-9]{1,63}")) {
                problems.add(problem(prefix + "url", "the name '" + name + "' must be letters and digits (at most 63)"));
                return;
            }
            if (named.url().isEmpty()) {
                problems.add(problem(prefix + "url", "is required for the upstream '" + id + "'"));
                return;
            }
            if (named.weight() < 1 || named.weight() > 1000) {
                problems.add(problem(prefix + "weight", "must be between 1 and 1000, got " + named.weight()));
            }
            upstreams.add(upstream(problems, id, prefix, named, named.url(), named.models(), named.weight(), named.callers()));
        });
        long managed = upstreams.stream().filter(upstream -> upstream.apiKey().isPresent()).count();
        if (managed != 0 && managed != upstreams.size()) {
            problems.add(problem("sluice.upstreams.*.api-key", "set it on every upstream (managed mode) or on none "
                    + "(pass-through mode); " + managed + " of " + upstreams.size() + " have one"));
        }
        return upstreams;
    }

    private static final Pattern UPSTREAM_VARIABLE = Pattern.compile(
            "SLUICE_UPSTREAMS_([A-Z0-9]+)_(URL|API_KEY|RPM|BURST|TPM|TOKEN_BURST|TOKEN_ACCOUNTING|MODELS|WEIGHT|PROXY|CALLERS)");

    private static void checkUpstreamVariables(List<String> problems, Map<String, String> environment, Set<String> names) {
        Set<String> known = new HashSet<>();
        names.forEach(name -> known.add(name.toUpperCase(Locale.ROOT)));
        environment.keySet().stream().filter(variable -> variable.startsWith("SLUICE_UPSTREAMS_")).sorted().forEach(variable -> {
            Matcher matcher = UPSTREAM_VARIABLE.matcher(variable);
            if (!matcher.matches() || !known.contains(matcher.group(1))) {
                problems.add(variable + ": not understood; an upstream's name is letters and digits (SLUICE_UPSTREAMS_"
                        + "<NAME>_URL), and its settings are URL, API_KEY, RPM, BURST, TPM, TOKEN_BURST, TOKEN_ACCOUNTING, MODELS, WEIGHT, "
                        + "PROXY and CALLERS");
            }
        });
    }

    private static final String DEFAULT_UPSTREAM_URL = "https://api.openai.com/v1";

    /** @param url the endpoint's URL, its default applied */
    private static UpstreamSettings upstream(List<String> problems, String name, String prefix, SluiceConfig.Endpoint endpoint,
            Optional<String> url, Optional<List<String>> models, int weight, Optional<List<String>> callers) {
        URI parsedUrl = check(problems, prefix + "url", () -> parseUpstreamUrl(url.orElseThrow()));
        Optional<BucketPolicy> requests = check(problems, prefix + "rpm",
                () -> upstreamRequestsPolicy(prefix, endpoint.rpm(), endpoint.burst()));
        Optional<BucketPolicy> tokens = check(problems, prefix + "tpm",
                () -> upstreamTokensPolicy(prefix, endpoint.tpm(), endpoint.tokenBurst()));
        if (endpoint.tokenAccounting().isPresent() && endpoint.tpm().isEmpty()) {
            problems.add(problem(prefix + "token-accounting", "is set but " + envName(prefix + "tpm")
                    + " is not; it says how that token limit is counted"));
        }
        Optional<UpstreamSettings.Proxy> parsedProxy = check(problems, prefix + "proxy",
                () -> endpoint.proxy().map(String::strip).filter(text -> !text.isEmpty()).map(SluiceSettings::parseProxy));
        List<String> pinned = new ArrayList<>();
        for (String caller : callers.orElse(List.of())) {
            String id = caller.strip().toLowerCase(Locale.ROOT);
            if (!id.matches("[0-9a-f]{12,64}")) {
                problems.add(problem(prefix + "callers", "'" + caller + "' is not a caller id: 12 to 64 hex digits "
                        + "of the SHA-256 of the caller's token, as the logs show it"));
            } else {
                pinned.add(id);
            }
        }
        List<String> served = models.orElse(List.of()).stream().map(String::strip).filter(model -> !model.isEmpty()).toList();
        return new UpstreamSettings(name, parsedUrl, endpoint.apiKey().map(String::strip).filter(key -> !key.isEmpty()),
                requests, tokens, endpoint.tokenAccounting().orElse(UpstreamSettings.DEFAULT_TOKEN_ACCOUNTING), served,
                weight, parsedProxy, List.copyOf(pinned));
    }

    /** {@code http://[user:password@]host:port}: the proxy is spoken to in plain HTTP (CONNECT for TLS upstreams). */
    private static UpstreamSettings.Proxy parseProxy(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a URL (expected http://host:port)");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getPort() == -1) {
            throw new IllegalArgumentException("must be http://host:port, optionally with user:password@ before the host");
        }
        Optional<String> username = Optional.empty();
        Optional<String> password = Optional.empty();
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            username = Optional.of(URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
            password = parts.length > 1
                    ? Optional.of(URLDecoder.decode(parts[1], StandardCharsets.UTF_8))
                    : Optional.empty();
        }
        return new UpstreamSettings.Proxy(uri.getHost(), uri.getPort(), username, password);
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

    private static Optional<BucketPolicy> upstreamTokensPolicy(String prefix, OptionalLong tpm, OptionalLong burst) {
        if (tpm.isEmpty()) {
            if (burst.isPresent()) {
                throw new IllegalArgumentException(problem(prefix + "token-burst",
                        "is set but " + envName(prefix + "tpm") + " is not; a burst needs a rate"));
            }
            return Optional.empty();
        }
        long tokensPerMinute = positive(tpm.getAsLong(), prefix + "tpm");
        // Nearly a whole minute's worth by default: one request may reserve thousands of tokens, and
        // a bucket much smaller could never admit it. 99 %, so that the upstream's own bucket keeps
        // 1 % (0.6 s of refill) in hand: requests that reach it a little closer together than Sluice
        // let them go, as network and scheduling jitter makes them, still find their tokens.
        long capacity = burst.isPresent() ? positive(burst.getAsLong(), prefix + "token-burst")
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

    private static Optional<BucketPolicy> upstreamRequestsPolicy(String prefix, OptionalLong rpm, OptionalLong burst) {
        if (rpm.isEmpty()) {
            if (burst.isPresent()) {
                throw new IllegalArgumentException(problem(prefix + "burst",
                        "is set but " + envName(prefix + "rpm") + " is not; a burst needs a rate"));
            }
            return Optional.empty();
        }
        long requestsPerMinute = positive(rpm.getAsLong(), prefix + "rpm");
        // OpenAI enforces its per-minute limits over short periods (about a second's worth): a full
        // minute's burst at once would be refused upstream. 90 % of that, so that requests which
        // reach the upstream a little closer together than Sluice let them go still find a token.
        long capacity = burst.isPresent()
                ? positive(burst.getAsLong(), prefix + "burst")
                : Math.max(1, (long) (requestsPerMinute / 60.0 * 0.9));
        return Optional.of(new BucketPolicy(capacity, Rate.perMinute(requestsPerMinute)));
    }
}
