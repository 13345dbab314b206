package dev.sluice.api;

import dev.sluice.config.LimiterProducer;
import dev.sluice.config.SluiceSettings;
import dev.sluice.keys.InMemoryKeyStore;
import dev.sluice.keys.KeyRegistry;
import dev.sluice.keys.KeyStore;
import dev.sluice.keys.infinispan.InfinispanKeyStore;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.jboss.logging.Logger;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caller keys: in the store Sluice's buckets live in (this instance's memory, or Infinispan's
 * {@value InfinispanKeyStore#CACHE} cache for the fleet), copied into this instance and kept in step
 * every {@code SLUICE_KEY_SYNC_INTERVAL}.
 */
@ApplicationScoped
public class KeysProducer {

    private static final Logger LOG = Logger.getLogger("dev.sluice.keys");

    private ExecutorService keyThreads;
    private Vertx vertx;
    private long timerId = -1;
    /** One sync at a time: a slow store is not asked again before it answered. */
    private final AtomicBoolean syncing = new AtomicBoolean();
    /** For the log: a store that keeps failing is reported once, and again when it answers. */
    private final AtomicBoolean failing = new AtomicBoolean();

    @Produces
    @Singleton
    KeyStore keyStore(SluiceSettings settings, Instance<RemoteCacheManager> infinispan) {
        return switch (settings.store().kind()) {
            case MEMORY -> new InMemoryKeyStore();
            case INFINISPAN -> {
                keyThreads = Executors.newFixedThreadPool(2, runnable -> {
                    Thread thread = new Thread(runnable, "sluice-keys");
                    thread.setDaemon(true);
                    return thread;
                });
                yield new InfinispanKeyStore(new LimiterProducer.LazyCache<>(infinispan, InfinispanKeyStore.CACHE), keyThreads);
            }
        };
    }

    @Produces
    @Singleton
    KeyRegistry keyRegistry(KeyStore store, SluiceSettings settings) {
        return new KeyRegistry(store, settings.callers().staticKeys(), settings.plans(), settings.callers().acceptAnyKey(),
                settings.usage().zone());
    }

    void start(@Observes StartupEvent event, KeyRegistry keys, SluiceSettings settings, Vertx vertx) {
        this.vertx = vertx;
        sync(keys);
        timerId = vertx.setPeriodic(Math.max(1, settings.callers().keySyncInterval().toMillis()), id -> sync(keys));
    }

    private void sync(KeyRegistry keys) {
        if (!syncing.compareAndSet(false, true)) {
            return;
        }
        keys.refresh().whenComplete((ignored, failure) -> {
            syncing.set(false);
            if (failure != null && failing.compareAndSet(false, true)) {
                LOG.warnf("Could not read the caller keys from the %s store (%s); the keys loaded before stay in force "
                        + "and it is asked again every SLUICE_KEY_SYNC_INTERVAL", keys.store().name(), failure.getMessage());
            } else if (failure == null && failing.compareAndSet(true, false)) {
                LOG.infof("The caller keys are read from the %s store again", keys.store().name());
            }
        });
    }

    @PreDestroy
    void stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        if (keyThreads != null) {
            keyThreads.shutdownNow();
        }
    }
}
