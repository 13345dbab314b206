package dev.sluice.config;

import dev.sluice.limit.BucketStore;
import dev.sluice.limit.RateLimiter;
import dev.sluice.limit.TimeSource;
import dev.sluice.limit.memory.InMemoryBucketStore;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the pure limiter to its configuration: the one place that picks the store. */
@ApplicationScoped
public class LimiterProducer {

    /** Built at start-up, so that a bad setting stops Sluice before it takes traffic. */
    @Produces
    @Singleton
    @Startup
    SluiceSettings settings(SluiceConfig config) {
        return SluiceSettings.from(config);
    }

    @Produces
    @Singleton
    TimeSource timeSource() {
        return TimeSource.system();
    }

    @Produces
    @Singleton
    BucketStore bucketStore() {
        return new InMemoryBucketStore();
    }

    @Produces
    @Singleton
    RateLimiter rateLimiter(BucketStore store, TimeSource timeSource, SluiceSettings settings) {
        return new RateLimiter(store, timeSource, settings.maxWaitNanos());
    }
}
