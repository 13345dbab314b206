package dev.sluice.config;

import dev.sluice.limit.FailoverBucketStore;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Every Sluice setting. Each one is also an environment variable: upper-case the name and replace
 * dots and dashes with underscores ({@code sluice.caller.rate} is {@code SLUICE_CALLER_RATE}).
 * docs/configuration.md lists them all; {@link SluiceSettings} checks them at start-up.
 */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    /** The OpenAI-compatible upstream that requests are sent to. */
    Upstream upstream();

    /** Limits that apply to each caller separately. */
    Caller caller();

    /** Longest a request may be held for its tokens before it is sent; 0 refuses at once. */
    @WithDefault("0")
    Duration maxWait();

    /** Largest request body accepted; larger ones get 413. */
    @WithDefault("4M")
    MemorySize maxBody();

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

    /** Threads that wait for the shared store's answers (Hot Rod task calls block). */
    @WithDefault("32")
    int storeThreads();

    interface Upstream {

        /** Base URL of the upstream, ending in /v1. */
        @WithDefault("https://api.openai.com/v1")
        String url();

        /** Sluice's own upstream key (managed mode); unset forwards each caller's key (pass-through mode). */
        Optional<String> apiKey();

        /** Requests per minute allowed on the upstream key, for the whole fleet; unset means no limit. */
        OptionalLong rpm();

        /** Burst of the upstream-key bucket; unset means 90 % of one second's worth of rpm, at least 1. */
        OptionalLong burst();

        /** Longest wait for a connection to the upstream. */
        @WithDefault("5s")
        Duration connectTimeout();

        /**
         * Longest wait for a whole non-streamed reply; for a stream, the longest wait for its first
         * byte and the longest silence between two chunks.
         */
        @WithDefault("30s")
        Duration timeout();

        /** Most connections open to the upstream at once, per client (non-streamed and streamed). */
        @WithDefault("256")
        int maxConnections();
    }

    interface Caller {

        /** Each caller's refill rate: N/s, N/m or N/h. */
        @WithDefault("5/s")
        String rate();

        /** Each caller's burst: the most requests a caller may send at once. */
        @WithDefault("5")
        long burst();
    }
}
