package dev.sluice.config;

import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.usage.TokenAccounting;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Every Sluice setting. Each one is also an environment variable: upper-case the name and replace
 * dots and dashes with underscores ({@code sluice.caller.rate} is {@code SLUICE_CALLER_RATE}).
 * docs/configuration.md lists them all; {@link SluiceSettings} checks them at start-up.
 */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    /**
     * The upstream that requests are sent to, or, when named upstreams are set, what all of them
     * share (timeouts, breaker, bulkhead, connections): then its url, key, limits and proxy must not be set.
     */
    Upstream upstream();

    /**
     * Several upstreams, by name ({@code SLUICE_UPSTREAMS_<NAME>_URL}, {@code _API_KEY}, ...): each an
     * endpoint and key with its own limits, models, weight and proxy. Empty: the one {@link #upstream()}.
     */
    Map<String, NamedUpstream> upstreams();

    /** Limits that apply to each caller separately: the plan {@value Plan#DEFAULT_NAME}. */
    Caller caller();

    /**
     * Named plans ({@code SLUICE_PLANS_<NAME>_RATE}, {@code _TPM}, ...): limit sets that keys are issued on.
     * A limit a plan leaves unset is the default plan's for its rate and burst, and none for the others.
     */
    Map<String, NamedPlan> plans();

    /** Caller keys set in the environment ({@code SLUICE_KEYS_<NAME>_SHA256}, {@code _PLAN}): no admin call needed. */
    Map<String, StaticKey> keys();

    /**
     * Managed mode only: accept any bearer token as a caller of the default plan, as if every token were
     * an issued key (the id is the token's SHA-256). For trying Sluice out: anyone who can reach it
     * then spends the upstream key.
     */
    @WithDefault("false")
    boolean acceptAnyKey();

    /**
     * The admin API's bearer token ({@code /admin/v1}: issuing, changing, rotating, revoking keys), at
     * least 32 characters; unset turns the admin API off (404).
     */
    Optional<String> adminToken();

    /** How often each instance looks for key changes made elsewhere in the fleet (one store read). */
    @WithDefault("1s")
    Duration keySyncInterval();

    /** Limits per client IP address, shared by every caller behind it; off unless a rate is set. */
    ClientIp clientIp();

    /** Usage counters (requests, tokens, refusals per caller and upstream key per day) kept in the store. */
    Usage usage();

    /** Retries of upstream calls that failed in a way worth another attempt. */
    Retry retry();

    /** What the metrics at /q/metrics label. */
    Metrics metrics();

    /**
     * Completion tokens reserved for a request that sets neither max_completion_tokens nor max_tokens
     * (per choice); the real usage settles the difference afterwards.
     */
    @WithDefault("1024")
    long defaultMaxTokens();

    /** Time zone whose midnights start the daily and monthly quota windows, e.g. UTC or Europe/Paris. */
    @WithDefault("UTC")
    String quotaZone();

    /** Longest a request may be held for its tokens before it is sent; 0 refuses at once. */
    @WithDefault("0")
    Duration maxWait();

    /** Largest request body accepted; larger ones get 413. */
    @WithDefault("4M")
    MemorySize maxBody();

    /**
     * Largest body relayed to the other /v1 endpoints without being read whole (file and upload parts):
     * counted as it streams through; larger ones get 413. OpenAI takes files up to 512 MB.
     */
    @WithDefault("512M")
    MemorySize maxUpload();

    /** Where buckets live: memory (this instance only) or infinispan (shared by the fleet). */
    @WithDefault("memory")
    StoreKind store();

    /** When the shared store cannot be reached: closed refuses with 503, open uses local buckets. */
    @WithDefault("closed")
    FailoverBucketStore.Mode storeFailure();

    /** Open failure mode: the share of each limit an instance uses on its own, in (0, 1]. */
    @WithDefault("0.5")
    double storeFallbackShare();

    /** After the shared store failed, how long until a request tries it again. */
    @WithDefault("2s")
    Duration storeRetryInterval();

    /**
     * How long an admission call to the shared store may be sent again after it failed (its node died,
     * a lock timed out while the cluster changed); a repeated call never charges twice. 0 sends it once.
     * A killed node's locks are held until the others have agreed that it is gone: up to 3.2 s on a
     * three-node cluster of the bench, hence 5 s.
     */
    @WithDefault("5s")
    Duration storeFailoverWindow();

    /** Threads that wait for the shared store's answers (Hot Rod task calls block). */
    @WithDefault("32")
    int storeThreads();

    /** An endpoint and key with its limits: the one upstream, or each named one. */
    interface Endpoint {

        /** Base URL, ending in /v1; unset means https://api.openai.com/v1 for the one upstream, required for a named one. */
        Optional<String> url();

        /** The key Sluice sends (managed mode); unset forwards each caller's key (pass-through mode). */
        Optional<String> apiKey();

        /** Requests per minute allowed on the key, for the whole fleet; unset means no limit. */
        OptionalLong rpm();

        /** Burst of the key's requests bucket; unset means {@link UpstreamSettings#defaultRequestsBurst most of one second's worth}. */
        OptionalLong burst();

        /** Tokens per minute allowed on the key, for the whole fleet; unset means no token limit. */
        OptionalLong tpm();

        /** Most tokens the key's token bucket holds; unset means {@link UpstreamSettings#defaultTokensBurst most of one minute's worth}. */
        OptionalLong tokenBurst();

        /**
         * How the upstream counts a request against its TPM: request (when it arrives, from the
         * input's characters and the most it may generate, never given back; OpenAI, Azure OpenAI)
         * or usage (what it really used); unset means request.
         */
        Optional<TokenAccounting> tokenAccounting();

        /**
         * An HTTP proxy that its calls must go through (a company's egress proxy), e.g.
         * http://user:password@proxy.internal:3128; HTTPS upstreams are reached through it with CONNECT.
         */
        Optional<String> proxy();
    }

    /** The one upstream, and what every upstream shares (timeouts, breaker, bulkhead, connections). */
    interface Upstream extends Endpoint {

        /** Longest wait for a connection to the upstream. */
        @WithDefault("5s")
        Duration connectTimeout();

        /**
         * Longest wait for a whole non-streamed reply; for a stream, the longest wait for its first
         * byte and the longest silence between two chunks.
         */
        @WithDefault("30s")
        Duration timeout();

        /** Consecutive failed attempts (5xx, no connection, no answer) that open the upstream's circuit breaker. */
        @WithDefault("5")
        int breakerFailures();

        /**
         * Distinct callers whose failed attempts of the last minute it takes before any counts toward
         * the breaker: one caller whose requests make the upstream fail cannot open it for everyone.
         * 1 counts every failure.
         */
        @WithDefault("2")
        int breakerCallers();

        /** How long an open breaker refuses calls before one probe is let through. */
        @WithDefault("5s")
        Duration breakerDelay();

        /**
         * The longest pause of an upstream (for a model) that one 429 may impose on the fleet, whatever
         * its retry-after asks; should the key still be used up after it, the next 429 pauses it again.
         */
        @WithDefault("30s")
        Duration maxCooldown();

        /** Calls waiting for the upstream's reply head at once (bulkhead); as many more may queue, beyond that 503. */
        @WithDefault("256")
        int maxConcurrent();

        /** Most connections open to the upstream at once, shared out among the event loops (rounded up: one each at least). */
        @WithDefault("256")
        int maxConnections();
    }

    /** One of several upstreams: an endpoint and key with limits of its own. */
    interface NamedUpstream extends Endpoint {

        /** The models it serves, e.g. gpt-4o,gpt-4o-mini; a trailing * matches a prefix; unset means all. */
        Optional<List<String>> models();

        /** Its share when upstreams are otherwise equal: one with weight 2 gets twice the requests of one with 1. */
        @WithDefault("1")
        int weight();

    }

    interface Caller {

        /** Each caller's refill rate: N/s, N/m or N/h. */
        @WithDefault("5/s")
        String rate();

        /** Each caller's burst: the most requests a caller may send at once. */
        @WithDefault("5")
        long burst();

        /** Requests each caller may make per calendar day (see quota-zone); unset means no quota. */
        OptionalLong dailyRequests();

        /** Tokens (prompt + completion) each caller may use per calendar day; unset means no quota. */
        OptionalLong dailyTokens();

        /** Requests each caller may make per calendar month; unset means no quota. */
        OptionalLong monthlyRequests();

        /** Tokens each caller may use per calendar month; unset means no quota. */
        OptionalLong monthlyTokens();

        /** Tokens (prompt + completion) each caller may use per minute, across the fleet; unset means no limit. */
        OptionalLong tpm();

        /** Requests each caller may have in flight at once, across the fleet; unset means no limit. */
        OptionalLong maxConcurrent();

        /** The models callers of the default plan may ask for (a trailing * matches a prefix); unset means all. */
        Optional<List<String>> models();

        /** The upstreams callers of the default plan may use, by name; unset means all. */
        Optional<List<String>> upstreams();

        /** The /v1 paths callers of the default plan may use, each with what lies below it; unset means inference and the object endpoints. */
        Optional<List<String>> paths();

        /** How often one caller may send the same request (path and body): N/s, N/m or N/h; unset means no limit. */
        Optional<String> duplicateRate();

        /** A file of deny rules, one 'name: regex' or 'name: "phrase"' a line; unset means none. */
        Optional<String> denyFile();

        /** The most tokens a request's prompt may hold (counted with the model's tokenizer); unset means no limit. */
        OptionalLong maxPromptTokens();

        /** Identical whole requests of one caller in flight at once share one upstream call. */
        @WithDefault("false")
        boolean coalesce();

        /** How long a whole reply is kept for the caller's identical requests (those that may be: see docs); unset means never. */
        Optional<Duration> cacheTtl();

        /** The text of chat, completion and Responses requests goes to the upstream's moderation first; flagged ones are refused. */
        @WithDefault("false")
        boolean moderation();
    }

    /** A plan: the default plan's limits, where it leaves them unset, for the rate and burst. */
    interface NamedPlan {

        /** Each key's refill rate, N/s, N/m or N/h; unset means the default plan's. */
        Optional<String> rate();

        /** Each key's burst; unset means the default plan's. */
        OptionalLong burst();

        /** Tokens each key may use per minute; unset means no limit. */
        OptionalLong tpm();

        /** Requests each key may have in flight at once, across the fleet; unset means no limit. */
        OptionalLong maxConcurrent();

        OptionalLong dailyRequests();

        OptionalLong dailyTokens();

        OptionalLong monthlyRequests();

        OptionalLong monthlyTokens();

        /** The models its keys may ask for (a trailing * matches a prefix); unset means all. */
        Optional<List<String>> models();

        /** The upstreams its keys may use, by name; unset means all. */
        Optional<List<String>> upstreams();

        /** The /v1 paths its keys may use, each with what lies below it; unset means the default plan's. */
        Optional<List<String>> paths();

        /** How often one key may send the same request; unset means the default plan's. */
        Optional<String> duplicateRate();

        /** Its deny rules' file; unset means the default plan's. */
        Optional<String> denyFile();

        /** The most tokens a request's prompt may hold; unset means the default plan's. */
        OptionalLong maxPromptTokens();

        /** Whether identical requests in flight share one upstream call; unset means the default plan's. */
        Optional<Boolean> coalesce();

        /** How long a whole reply is kept for identical requests; unset means the default plan's. */
        Optional<Duration> cacheTtl();

        /** Whether its requests are moderated first; unset means the default plan's. */
        Optional<Boolean> moderation();
    }

    /** A key set in the environment, so that a fleet starts with its keys without an admin call. */
    interface StaticKey {

        /** Hex SHA-256 of the key (e.g. {@code printf %s "$KEY" | sha256sum}); the key itself is never configured. */
        Optional<String> sha256();

        /** Its plan; unset means the default plan. */
        Optional<String> plan();
    }

    interface ClientIp {

        /** Each client address's refill rate, N/s, N/m or N/h; unset turns the per-IP limit off. */
        Optional<String> rate();

        /** Each client address's burst; unset means the rate's N. */
        OptionalLong burst();

        /**
         * Addresses or CIDR ranges of proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8; with
         * none, the client is the connection's peer and X-Forwarded-For is ignored.
         */
        Optional<List<String>> trustedProxies();
    }

    interface Retry {

        /** Most attempts per request, the first included; 1 turns retries off. */
        @WithDefault("3")
        int maxAttempts();

        /** Longest time from the first attempt to the start of the last retry; keep it below the function timeout. */
        @WithDefault("25s")
        Duration maxTotal();

        /** Ceiling of the first retry's random wait; it doubles with each retry. */
        @WithDefault("200ms")
        Duration baseDelay();

        /** Ceiling of any retry's random wait (an upstream's retry-after may ask for longer). */
        @WithDefault("5s")
        Duration maxDelay();

        /** Retries allowed per first attempt over the budget window. */
        @WithDefault("0.1")
        double budget();

        /** Retries allowed per budget window whatever the traffic, so a quiet service still retries. */
        @WithDefault("10")
        int budgetMinRetries();

        /** The sliding window of the retry budget. */
        @WithDefault("10s")
        Duration budgetWindow();
    }

    interface Usage {

        /** How often each instance writes its usage counters to the store. */
        @WithDefault("5s")
        Duration flushInterval();

        /** How long the store keeps each day's usage counters. */
        @WithDefault("90d")
        Duration retention();
    }

    interface Metrics {

        /** Distinct model names that get a label of their own (the first seen); later ones are "other". 0 to 1000. */
        @WithDefault("20")
        int maxModels();

        /** Whether request and refusal metrics carry the caller's plan (a label per plan). */
        @WithDefault("false")
        boolean planLabel();

        /** How often the metrics are also written as CloudWatch Embedded Metric Format lines; unset: never. */
        Optional<Duration> emfInterval();
    }
}
