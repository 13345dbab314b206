package dev.sluice.api;

import dev.sluice.config.LimiterProducer;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.TimeSource;
import dev.sluice.owners.InMemoryObjectOwners;
import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.infinispan.InfinispanObjectOwners;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.infinispan.client.hotrod.RemoteCacheManager;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Who owns which object, in the store Sluice's buckets live in: this instance's memory, or Infinispan's
 * {@value InfinispanObjectOwners#CACHE} cache for the fleet.
 */
@ApplicationScoped
public class OwnersProducer {

    private ExecutorService ownerThreads;

    @Produces
    @Singleton
    ObjectOwners objectOwners(SluiceSettings settings, TimeSource clock, Instance<RemoteCacheManager> infinispan) {
        return switch (settings.store().kind()) {
            case MEMORY -> new InMemoryObjectOwners(clock, InMemoryObjectOwners.DEFAULT_CAPACITY);
            case INFINISPAN -> {
                ownerThreads = Executors.newFixedThreadPool(settings.store().threads(), runnable -> {
                    Thread thread = new Thread(runnable, "sluice-owners");
                    thread.setDaemon(true);
                    return thread;
                });
                yield new InfinispanObjectOwners(new LimiterProducer.LazyCache<>(infinispan, InfinispanObjectOwners.CACHE), ownerThreads);
            }
        };
    }

    @PreDestroy
    void stop() {
        if (ownerThreads != null) {
            ownerThreads.shutdownNow();
        }
    }
}
