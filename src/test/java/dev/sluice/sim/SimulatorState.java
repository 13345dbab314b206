package dev.sluice.sim;

import java.util.HashMap;
import java.util.Map;

/**
 * The buckets of every configured key, the counters since the last reset, and what callers stored
 * (responses, files): a stats reset refills the buckets and zeroes the counters, and keeps what was stored.
 */
final class SimulatorState {

    private final SimulatorConfig config;
    private final Map<String, KeyLimiter> limiters;
    private volatile StatsWindow stats;
    private final StoredResponses responses = new StoredResponses();
    private final StoredFiles files = new StoredFiles();

    SimulatorState(SimulatorConfig config) {
        this.config = config;
        long nowNanos = config.nanoTime().getAsLong();
        Map<String, KeyLimiter> byKey = new HashMap<>();
        for (String key : config.keys()) {
            byKey.put(key, new KeyLimiter(config.requestsPerMinute(), config.requestBucketSeconds(), config.tokensPerMinute(),
                    config.tokenBucketSeconds(), nowNanos));
        }
        limiters = Map.copyOf(byKey);
        stats = new StatsWindow(config.keys(), nowNanos);
    }

    /** @return null for a key that is not configured */
    KeyLimiter limiter(String key) {
        return limiters.get(key);
    }

    StatsWindow stats() {
        return stats;
    }

    StoredResponses responses() {
        return responses;
    }

    StoredFiles files() {
        return files;
    }

    /** Zeroes every counter and refills every bucket. */
    void reset() {
        long nowNanos = config.nanoTime().getAsLong();
        limiters.values().forEach(limiter -> limiter.fill(nowNanos));
        stats = new StatsWindow(config.keys(), nowNanos);
    }

    String statsJson() {
        return stats.toJson(config, config.nanoTime().getAsLong());
    }
}
