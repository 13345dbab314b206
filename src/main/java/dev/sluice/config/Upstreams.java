package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.limit.Rate;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The upstreams of a {@link SluiceConfig}, checked: the named ones, or the one the
 * {@code SLUICE_UPSTREAM_*} shorthand describes (named {@value UpstreamSettings#DEFAULT_NAME}).
 */
final class Upstreams {

    private static final String DEFAULT_URL = "https://api.openai.com/v1";
    private static final int MAX_WEIGHT = 1000;

    private Upstreams() {
    }

    /**
     * Either all upstreams have a key (managed) or none has: a caller's own key is not sent to some
     * upstreams and replaced for others. (A {@code SLUICE_UPSTREAMS_*} variable that configures nothing is
     * refused by {@link ConfigurationCheck}, as every unknown {@code SLUICE_*} variable is.)
     */
    static List<UpstreamSettings> from(Problems problems, SluiceConfig config) {
        SluiceConfig.Upstream shorthand = config.upstream();
        if (config.upstreams().isEmpty()) {
            return List.of(upstream(problems, UpstreamSettings.DEFAULT_NAME, "sluice.upstream.", shorthand,
                    Optional.of(shorthand.url().orElse(DEFAULT_URL)), Optional.empty(), 1));
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
                problems.add("sluice.upstream." + property, "describes the one upstream; with named upstreams "
                        + "(SLUICE_UPSTREAMS_<NAME>_*) set it on each of them instead");
            }
        });
        List<UpstreamSettings> upstreams = new ArrayList<>();
        new TreeMap<>(config.upstreams()).forEach((name, named) -> {
            String id = name.toLowerCase(Locale.ROOT);
            String prefix = "sluice.upstreams." + id + ".";
            if (!problems.validName(prefix + "url", name, id)) {
                return;
            }
            if (named.url().isEmpty()) {
                problems.add(prefix + "url", "is required for the upstream '" + id + "'");
                return;
            }
            problems.between(prefix + "weight", named.weight(), 1, MAX_WEIGHT);
            upstreams.add(upstream(problems, id, prefix, named, named.url(), named.models(), named.weight()));
        });
        long managed = upstreams.stream().filter(upstream -> upstream.apiKey().isPresent()).count();
        if (managed != 0 && managed != upstreams.size()) {
            problems.add("sluice.upstreams.*.api-key", "set it on every upstream (managed mode) or on none "
                    + "(pass-through mode); " + managed + " of " + upstreams.size() + " have one");
        }
        return List.copyOf(upstreams);
    }

    /** @param url the endpoint's URL, its default applied */
    private static UpstreamSettings upstream(Problems problems, String name, String prefix, SluiceConfig.Endpoint endpoint,
            Optional<String> url, Optional<List<String>> models, int weight) {
        URI parsedUrl = problems.check(prefix + "url", () -> parseUrl(url.orElseThrow()));
        Optional<BucketPolicy> requests = problems.check(prefix + "rpm",
                () -> bucket(prefix, "rpm", "burst", endpoint.rpm(), endpoint.burst(), UpstreamSettings::defaultRequestsBurst));
        Optional<BucketPolicy> tokens = problems.check(prefix + "tpm",
                () -> bucket(prefix, "tpm", "token-burst", endpoint.tpm(), endpoint.tokenBurst(), UpstreamSettings::defaultTokensBurst));
        if (endpoint.tokenAccounting().isPresent() && endpoint.tpm().isEmpty()) {
            problems.add(prefix + "token-accounting", "is set but " + Problems.envName(prefix + "tpm")
                    + " is not; it says how that token limit is counted");
        }
        Optional<UpstreamSettings.Proxy> parsedProxy = problems.check(prefix + "proxy",
                () -> endpoint.proxy().map(String::strip).filter(text -> !text.isEmpty()).map(Upstreams::parseProxy));
        List<String> served = models.orElse(List.of()).stream().map(String::strip).filter(model -> !model.isEmpty()).toList();
        return new UpstreamSettings(name, parsedUrl, endpoint.apiKey().map(String::strip).filter(key -> !key.isEmpty()).map(Secret::new),
                requests, tokens, endpoint.tokenAccounting().orElse(UpstreamSettings.DEFAULT_TOKEN_ACCOUNTING), served,
                weight, parsedProxy);
    }

    /**
     * A per-minute limit's bucket: its burst as set, or by default the one {@code defaultBurst} gives.
     *
     * @param perMinute the limit per minute; empty means no limit (and then no burst either)
     */
    private static Optional<BucketPolicy> bucket(String prefix, String rateName, String burstName, OptionalLong perMinute,
            OptionalLong burst, java.util.function.LongUnaryOperator defaultBurst) {
        if (perMinute.isEmpty()) {
            if (burst.isPresent()) {
                throw new IllegalArgumentException(Problems.describe(prefix + burstName,
                        "is set but " + Problems.envName(prefix + rateName) + " is not; a burst needs a rate"));
            }
            return Optional.empty();
        }
        long limit = Problems.positive(perMinute.getAsLong(), prefix + rateName);
        long capacity = burst.isPresent() ? Problems.positive(burst.getAsLong(), prefix + burstName) : defaultBurst.applyAsLong(limit);
        return Optional.of(new BucketPolicy(capacity, Rate.perMinute(limit)));
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
        Optional<Secret> password = Optional.empty();
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            username = Optional.of(URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
            password = parts.length > 1
                    ? Optional.of(new Secret(URLDecoder.decode(parts[1], StandardCharsets.UTF_8)))
                    : Optional.empty();
        }
        return new UpstreamSettings.Proxy(uri.getHost(), uri.getPort(), username, password);
    }

    private static URI parseUrl(String text) {
        URI uri;
        try {
            uri = URI.create(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' is not an http(s) URL with a host, e.g. " + DEFAULT_URL);
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("'" + text + "' must not have a query or fragment");
        }
        return URI.create(uri.toString().replaceAll("/+$", ""));
    }
}
