package dev.sluice.config;

import dev.sluice.limit.BucketStore;
import dev.sluice.limit.FailoverBucketStore;
import dev.sluice.limit.RateLimiter;
import dev.sluice.limit.StoreMisconfiguredException;
import dev.sluice.limit.TimeSource;
import dev.sluice.limit.infinispan.InfinispanBucketStore;
import dev.sluice.limit.memory.InMemoryBucketStore;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.jboss.logging.Logger;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Wires the pure limiter to its configuration: the one place that picks the store. */
@ApplicationScoped
public class LimiterProducer {

    private static final Logger LOG = Logger.getLogger("dev.sluice.store");
    private static final Logger LOG_CONFIG = Logger.getLogger("dev.sluice.config");

    private ExecutorService storeThreads;

    /** Built at start-up, so that a bad setting stops Sluice before it takes traffic. */
    @Produces
    @Singleton
    @Startup
    SluiceSettings settings(SluiceConfig config) {
        SluiceSettings settings = SluiceSettings.from(config,
                ConfigProvider.getConfig().getOptionalValue(SluiceSettings.INFINISPAN_HOSTS, String.class));
        // what requests will be sent to, once, so an operator can check it (never a key or a password)
        settings.upstreams().forEach(upstream -> LOG_CONFIG.infof("Sluice sends requests to %s", upstream));
        return settings;
    }

    @Produces
    @Singleton
    TimeSource timeSource() {
        return TimeSource.system();
    }

    @Produces
    @Singleton
    BucketStore bucketStore(SluiceSettings settings, Instance<RemoteCacheManager> infinispan) {
        SluiceSettings.Store store = settings.store();
        return switch (store.kind()) {
            case MEMORY -> new InMemoryBucketStore();
            case INFINISPAN -> {
                storeThreads = Executors.newFixedThreadPool(store.threads(), daemonThreads("sluice-store-"));
                InfinispanBucketStore shared = new InfinispanBucketStore(new LazyCache<>(infinispan, InfinispanBucketStore.CACHE), storeThreads, true,
                        store.failoverWindow().toNanos());
                yield new FailoverBucketStore(shared, new InMemoryBucketStore(), store.failureMode(),
                        store.fallbackShare(), store.retryInterval().toNanos(), new LoggingListener());
            }
        };
    }

    @Produces
    @Singleton
    RateLimiter rateLimiter(BucketStore store, TimeSource timeSource, SluiceSettings settings) {
        return new RateLimiter(store, timeSource, settings.maxWait().toNanos());
    }

    @PreDestroy
    void stopStoreThreads() {
        if (storeThreads != null) {
            storeThreads.shutdownNow();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * One of Sluice's caches, connected on first use and kept: Sluice starts (and answers health checks)
     * even while Infinispan is down, and a failed connection is simply tried again next time.
     *
     * @param <V> what the cache holds
     */
    public static final class LazyCache<V> implements Supplier<RemoteCache<String, V>> {
        private final Instance<RemoteCacheManager> managers;
        private final String name;
        private volatile RemoteCache<String, V> cache;

        public LazyCache(Instance<RemoteCacheManager> managers, String name) {
            this.managers = managers;
            this.name = name;
        }

        @Override
        public RemoteCache<String, V> get() {
            RemoteCache<String, V> connected = cache;
            if (connected == null) {
                synchronized (this) {
                    if (cache == null) {
                        RemoteCacheManager manager = managers.get();
                        if (!manager.isStarted()) {
                            manager.start();
                        }
                        cache = manager.getCache(name);
                        if (cache == null) { // looked up again next time: it may be created meanwhile
                            throw new StoreMisconfiguredException("no cache '" + name + "'", null);
                        }
                    }
                    connected = cache;
                }
            }
            return connected;
        }
    }

    /** One log line when the shared store goes away or is found misconfigured, one when it is back. */
    static final class LoggingListener implements FailoverBucketStore.Listener {
        @Override
        public void misconfigured(String store, String missing) {
            LOG.errorf("The %s store answers but has %s: Sluice needs the cache %s (deploy/infinispan/sluice-buckets.yaml "
                    + "with the Infinispan Operator, or as in deploy/local/infinispan/infinispan.xml) and its server tasks "
                    + "(sluice-infinispan-task.jar in the server's lib/, built by deploy/local/infinispan.sh fetch; see "
                    + "docs/operations.md). Refusing requests with 503 store_misconfigured and checking again every "
                    + "SLUICE_STORE_RETRY_INTERVAL", store, missing, InfinispanBucketStore.CACHE);
        }

        @Override
        public void unavailable(String store, FailoverBucketStore.Mode mode, Throwable cause) {
            LOG.errorf("The %s store is unavailable (%s: %s); %s until it answers again", store,
                    cause.getClass().getSimpleName(), cause.getMessage(),
                    mode == FailoverBucketStore.Mode.CLOSED ? "refusing requests with 503"
                            : "deciding with this instance's own buckets at a share of each limit");
        }

        @Override
        public void available(String store) {
            LOG.infof("The %s store is available again", store);
        }
    }
}
