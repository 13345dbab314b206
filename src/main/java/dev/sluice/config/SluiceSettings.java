package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.limit.Rate;
import io.quarkus.runtime.configuration.ConfigurationException;

import java.net.URI;
import java.time.Duration;
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
        Store store) {

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
                + ", maxWaitNanos=" + maxWaitNanos + ", maxBodyBytes=" + maxBodyBytes + ", store=" + store + "]";
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
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid Sluice configuration:\n  - " + String.join("\n  - ", problems));
        }
        return new SluiceSettings(upstreamUrl, apiKey, upstreamRequests, callerRequests, maxWait.toNanos(),
                maxBodyBytes, config.upstream().connectTimeout(), config.upstream().timeout(),
                config.upstream().maxConnections(),
                new Store(config.store(), config.storeFailure(), config.storeFallbackShare(),
                        config.storeRetryInterval().toNanos(), config.storeThreads()));
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
