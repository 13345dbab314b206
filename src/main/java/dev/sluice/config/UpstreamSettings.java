package dev.sluice.config;

import dev.sluice.limit.BucketPolicy;
import dev.sluice.usage.TokenAccounting;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One upstream, checked: an endpoint and key with its own limits, the models it serves, its weight,
 * the proxy it is reached through and the callers pinned to it.
 *
 * @param name     its name, lower case: in store keys ({@code upstream:<name>:requests}), logs and counters
 * @param url      base URL, without a trailing slash
 * @param apiKey   the key Sluice sends; empty in pass-through mode (each caller's key goes up)
 * @param requests its requests-per-minute bucket; empty when no RPM is set
 * @param tokens   its tokens-per-minute bucket; empty when no TPM is set
 * @param tokenAccounting how it counts a request against its TPM, and so how its bucket is charged and settled
 * @param models   the models it serves (a trailing {@code *} matches a prefix); empty means all
 * @param weight   its share among upstreams that are otherwise equal, at least 1
 * @param proxy    the HTTP proxy its calls go through, if any
 */
public record UpstreamSettings(String name, URI url, Optional<Secret> apiKey, Optional<BucketPolicy> requests,
        Optional<BucketPolicy> tokens, TokenAccounting tokenAccounting, List<String> models, int weight, Optional<Proxy> proxy) {

    /** The name of the one upstream the {@code SLUICE_UPSTREAM_*} shorthand configures. */
    public static final String DEFAULT_NAME = "default";

    /** How an upstream counts tokens unless told otherwise: as OpenAI and Azure OpenAI do. */
    public static final TokenAccounting DEFAULT_TOKEN_ACCOUNTING = TokenAccounting.REQUEST;

    /**
     * An HTTP proxy.
     *
     * @param username empty when the proxy needs no credentials
     */
    public record Proxy(String host, int port, Optional<String> username, Optional<Secret> password) {
    }

    /** The default burst of a requests limit: this share of one second's worth, at least 1. */
    public static final double REQUESTS_BURST_SHARE_OF_A_SECOND = 0.9;
    /** The default burst of a tokens limit: this share of one minute's worth, at least 1. */
    public static final double TOKENS_BURST_SHARE_OF_A_MINUTE = 0.99;

    /**
     * The requests bucket's size unless set. OpenAI enforces its per-minute limits over short periods
     * (about a second's worth): a full minute's burst at once would be refused upstream. 90 % of that,
     * so that requests which reach the upstream a little closer together than Sluice let them go still
     * find a token.
     */
    public static long defaultRequestsBurst(long requestsPerMinute) {
        return Math.max(1, (long) (requestsPerMinute / 60.0 * REQUESTS_BURST_SHARE_OF_A_SECOND));
    }

    /**
     * The tokens bucket's size unless set: nearly a whole minute's worth, since one request may reserve
     * thousands of tokens and a bucket much smaller could never admit it. 99 %, so that the upstream's
     * own bucket keeps 1 % (0.6 s of refill) in hand: requests that reach it a little closer together
     * than Sluice let them go, as network and scheduling jitter makes them, still find their tokens.
     */
    public static long defaultTokensBurst(long tokensPerMinute) {
        return Math.max(1, (long) (tokensPerMinute * TOKENS_BURST_SHARE_OF_A_MINUTE));
    }

    public boolean serves(String model) {
        return models.isEmpty() || matchesAny(models, model);
    }

    /** Whether a list of models (a trailing {@code *} matches a prefix) names {@code model}. */
    static boolean matchesAny(List<String> patterns, String model) {
        for (String pattern : patterns) {
            if (pattern.endsWith("*") ? model.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(model)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Optional<BucketPolicy> limit) {
        return limit.map(policy -> policy.refillRate() + " (burst " + policy.capacity() + ")").orElse("no limit");
    }

    /** A URL as it may be logged: credentials in it, if any, left out. */
    public static String withoutUserInfo(URI url) {
        if (url.getRawUserInfo() == null) {
            return url.toString();
        }
        return url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() { // the key never reaches a log
        return "Upstream[" + name + ", url=" + withoutUserInfo(url) + ", " + (apiKey.isPresent() ? "managed" : "pass-through")
                + ", requests=" + describe(requests) + ", tokens=" + describe(tokens)
                + (tokens.isPresent() ? " counted by " + tokenAccounting.name().toLowerCase(java.util.Locale.ROOT) : "")
                + ", models=" + (models.isEmpty() ? "all" : models)
                + ", weight=" + weight + (proxy.isPresent() ? ", proxy=" + proxy.get() : "") + "]";
    }
}
