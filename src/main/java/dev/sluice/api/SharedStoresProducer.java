package dev.sluice.api;

import dev.sluice.config.LimiterProducer;
import dev.sluice.config.SluiceSettings;
import dev.sluice.limit.TimeSource;
import dev.sluice.owners.InMemoryObjectOwners;
import dev.sluice.owners.ObjectOwners;
import dev.sluice.owners.infinispan.InfinispanObjectOwners;
import dev.sluice.replies.InMemoryReplyCache;
import dev.sluice.replies.ReplyCache;
import dev.sluice.replies.infinispan.InfinispanReplyCache;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.infinispan.client.hotrod.RemoteCacheManager;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What Sluice keeps beside its buckets, in the same store: who owns which object (this instance's memory,
 * or Infinispan's {@value InfinispanObjectOwners#CACHE} cache for the fleet), and the replies kept for
 * identical requests ({@value InfinispanReplyCache#CACHE}).
 */
@ApplicationScoped
public class SharedStoresProducer {

    private ExecutorService ownerThreads;
    private ExecutorService replyThreads;

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

    @Produces
    @Singleton
    ReplyCache replyCache(SluiceSettings settings, TimeSource clock, Instance<RemoteCacheManager> infinispan) {
        return switch (settings.store().kind()) {
            case MEMORY -> new InMemoryReplyCache(clock, InMemoryReplyCache.DEFAULT_MAX_BYTES);
            case INFINISPAN -> {
                replyThreads = Executors.newFixedThreadPool(settings.store().threads(), runnable -> {
                    Thread thread = new Thread(runnable, "sluice-replies");
                    thread.setDaemon(true);
                    return thread;
                });
                yield new InfinispanReplyCache(new LimiterProducer.LazyCache<>(infinispan, InfinispanReplyCache.CACHE), replyThreads);
            }
        };
    }

    @PreDestroy
    void stop() {
        if (ownerThreads != null) {
            ownerThreads.shutdownNow();
        }
        if (replyThreads != null) {
            replyThreads.shutdownNow();
        }
    }
}
